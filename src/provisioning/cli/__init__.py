"""The `provisioning` command: one argparse command group per module of this package (`cloud`, …)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from provisioning import __version__

from ._common import CliError
from ._extras import missing_extra_message

__all__ = ["COMMAND_GROUPS", "CliError", "build_parser", "main"]

COMMAND_GROUPS: tuple[str, ...] = (
    "cloud", "cluster", "cost", "extension", "package", "policy", "registry", "status",
)  # fmt: skip
"""Modules of this package that add a command group: each has `register(commands: Subcommands) -> None`,
which adds its parser and sets `func(args) -> int` on it. A new group is a module plus its name here.
Group modules import their heavy dependencies inside the command functions, so `--help` stays fast."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of `provisioning` with every command group."""
    parser = argparse.ArgumentParser(
        prog="provisioning",
        description="Infrastructure as code on Pulumi: tools around the provisioning SDK.",
    )
    parser.add_argument("--version", action="version", version=f"provisioning {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_GROUPS:
        importlib.import_module(f"{__name__}.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `provisioning` command; returns the exit status (2: a usage error)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"provisioning: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        needed = missing_extra_message(exc)
        if needed is None:
            raise
        print(f"provisioning: error: {needed}", file=sys.stderr)
        return 2
