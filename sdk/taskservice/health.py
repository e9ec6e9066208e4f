"""The health report a task service's health step prints, as records: `check<TAB>name<TAB>pass|fail<TAB>
message<TAB>time` and `fact<TAB>key<TAB>value` lines (the helpers `check_pass`, `check_fail` and `fact` of
`taskservice/lib.sh.j2` write them); any other line is the step's own log. Imports no Pulumi."""

from __future__ import annotations

from dataclasses import dataclass, field

from .settings import HealthCheck

__all__ = ["HealthReport", "parse_health"]


@dataclass(frozen=True)
class HealthReport:
    """What one health step saw."""

    checks: tuple[HealthCheck, ...] = ()
    """Every check, in the order it ran."""
    facts: dict[str, str] = field(default_factory=dict)
    """What it read off the host (`version`: the server's version)."""

    @property
    def healthy(self) -> bool:
        """Every check passed (and there was at least one)."""
        return bool(self.checks) and all(check.status == "pass" for check in self.checks)

    def prefixed(self, prefix: str) -> HealthReport:
        """The same report with `prefix` before each check's name (`replica-0:`)."""
        checks = tuple(check.model_copy(update={"name": prefix + check.name}) for check in self.checks)
        return HealthReport(checks, dict(self.facts))


def parse_health(stdout: str) -> HealthReport:
    """The records of a health step's output."""
    checks: list[HealthCheck] = []
    facts: dict[str, str] = {}
    for line in stdout.splitlines():
        parts = line.split("\t")
        if parts[0] == "check" and len(parts) == 5 and parts[2] in ("pass", "fail"):
            checks.append(HealthCheck(name=parts[1], status=parts[2], message=parts[3], last_check=parts[4]))  # type: ignore[arg-type]
        elif parts[0] == "fact" and len(parts) == 3:
            facts[parts[1]] = parts[2]
    return HealthReport(tuple(checks), facts)
