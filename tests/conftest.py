"""Suite-wide reporting: how many tests drove the real engine, so a green run cannot hide their absence."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts: dict[str, dict[str, int]] = {"engine": {}, "e2e": {}}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            keywords = getattr(report, "keywords", {})
            if getattr(report, "when", "call") != "call" and outcome == "passed":
                continue
            for marker, tally in counts.items():
                if marker in keywords:
                    tally[outcome] = tally.get(outcome, 0) + 1
    labels = {"engine": "the real Pulumi engine", "e2e": "machine hosts"}
    for marker, tally in counts.items():
        line = ", ".join(f"{n} {outcome}" for outcome, n in sorted(tally.items())) or "none ran"
        terminalreporter.write_line(f"{marker} tests ({labels[marker]}): {line}")
