"""What every command group shares: the error that ends a command with a message, the subparsers type, the
group's parser."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

__all__ = ["CliError", "Subcommands", "command_group"]

if TYPE_CHECKING:
    from typing import TypeAlias

    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
    """Where a command group adds its parser (`commands.add_parser(...)`)."""


class CliError(Exception):
    """A command cannot go on: the message says what to do; `main` prints it and exits with status 2."""


def command_group(
    commands: Subcommands, name: str, *, help: str, description: str | None = None, metavar: str = "COMMAND"
) -> Subcommands:
    """Add group `name` (`provisioning NAME METAVAR ...`, one command required) and return where its commands
    are added."""
    group = commands.add_parser(name, help=help, description=description)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar=metavar)
