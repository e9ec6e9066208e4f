"""What every command group shares: the error that ends a command with a message, the subparsers type."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

__all__ = ["CliError", "Subcommands"]

if TYPE_CHECKING:
    from typing import TypeAlias

    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
    """Where a command group adds its parser (`commands.add_parser(...)`)."""


class CliError(Exception):
    """A command cannot go on: the message says what to do; `main` prints it and exits with status 2."""
