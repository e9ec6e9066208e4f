"""Reading a stack for a command: its arguments (STACK or --stack, --cwd, --json), its config and
`pulumi stack export`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from typing import Any

from ._common import CliError

__all__ = ["add_config_source", "add_stack_arguments", "config_keys", "export_stack", "stack_config"]


def add_stack_arguments(parser: argparse.ArgumentParser, *, json: bool = True) -> None:
    """STACK, `--cwd DIR` and (unless `json` is False) `--json`, as every command that reads a stack takes
    them."""
    parser.add_argument("stack", metavar="STACK", help="stack name (as `pulumi stack ls` shows it)")
    parser.add_argument("--cwd", default=".", help="the Pulumi project folder (default: here)")
    if json:
        parser.add_argument("--json", action="store_true", help="print JSON for machines")


def add_config_source(parser: argparse.ArgumentParser, *, cwd_help: str) -> None:
    """`--cwd DIR` and `--stack STACK`: the project and stack whose config a command may read (`cwd_help`
    says what for)."""
    parser.add_argument("--cwd", default=".", help=cwd_help)
    parser.add_argument("--stack", help="that project's stack (default: the selected one)")


def _pulumi() -> str:
    found = shutil.which("pulumi")
    if found is None:
        raise CliError(
            "the pulumi CLI is not on PATH: install Pulumi v3.259.0 (or put make setup's .tools/bin on PATH)"
        )
    return found


def stack_config(cwd: str, stack: str | None = None, *, show_secrets: bool = False) -> dict[str, Any]:
    """The config of the stack (default: the selected one) of the project in `cwd`, key → value, from
    `pulumi config --json`; a secret's value is None unless `show_secrets` (then keep it in memory)."""
    command = [_pulumi(), "config", "--json", "--cwd", cwd, "--non-interactive"]
    if stack:
        command += ["--stack", stack]
    if show_secrets:
        command.append("--show-secrets")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip() or done.stdout.strip()).removeprefix("error: ")
        raise CliError(f"no stack config read in {os.path.abspath(cwd)}: {reason[:300]}")
    entries: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return {key: entry.get("objectValue", entry.get("value")) for key, entry in entries.items()}


def config_keys(cwd: str, stack: str | None = None) -> frozenset[str]:
    """The config keys the stack (default: the selected one) of the project in `cwd` sets (no secret is
    decrypted)."""
    return frozenset(stack_config(cwd, stack))


def export_stack(stack: str, cwd: str, *, show_secrets: bool = False) -> dict[str, Any]:
    """The stack's state from `pulumi stack export` (decrypted with `show_secrets`: keep it in memory)."""
    command = [_pulumi(), "stack", "export", "--stack", stack, "--cwd", cwd, "--non-interactive"]
    if show_secrets:
        command.insert(3, "--show-secrets")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip() or done.stdout.strip())[-600:]
        raise CliError(f"pulumi stack export --stack {stack} failed: {reason}")
    exported: dict[str, Any] = json.loads(done.stdout)
    return exported
