"""`provisioning policy path`: where the installed policy pack is, for `pulumi preview --policy-pack`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ._common import command_group

__all__ = ["pack_folder", "register"]

if TYPE_CHECKING:
    from ._common import Subcommands


def pack_folder() -> Path:
    """The folder of the installed pack (it holds PulumiPolicy.yaml and __main__.py)."""
    import provisioning.policies

    return Path(provisioning.policies.__file__).resolve().parent


def register(commands: Subcommands) -> None:
    """Add `provisioning policy`."""
    sub = command_group(commands, "policy", help="the policy pack")
    path = sub.add_parser(
        "path",
        help="print the pack's folder",
        description="Print the policy pack's folder, for "
        '`pulumi preview --policy-pack "$(provisioning policy path)"`.',
    )
    path.set_defaults(func=_path)


def _path(args: argparse.Namespace) -> int:
    print(pack_folder())
    return 0
