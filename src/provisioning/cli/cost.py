"""`provisioning cost STACK`: the estimated hourly cost of each resource in a stack's state, and the total."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ._stack import add_stack_arguments, export_stack
from ._table import render_table

if TYPE_CHECKING:
    from ._common import Subcommands

__all__ = ["ResourceCost", "costs_from_state", "register"]

HOURS_PER_MONTH = 730
"""Hours in an average month, for the monthly column."""


@dataclass(frozen=True)
class ResourceCost:
    """One resource's estimated cost."""

    type: str
    """Resource type (`custom-cloud:Server`)."""
    name: str
    """Pulumi resource name."""
    hourly: float
    """Estimated USD per hour."""


def costs_from_state(deployment: dict[str, Any]) -> list[ResourceCost]:
    """Every custom resource of a `pulumi stack export` document that records an estimated hourly cost."""
    from provisioning.sdk.cost import cost_of

    found = []
    for resource in deployment.get("deployment", {}).get("resources", []):
        hourly = cost_of(resource.get("outputs") or {})
        if hourly is not None and resource.get("custom"):  # not the stack's own exported total
            kind = str(resource.get("type", "")).removeprefix("pulumi-python:dynamic/")
            found.append(ResourceCost(kind, str(resource.get("urn", "")).rsplit("::", 1)[-1], hourly))
    return found


def register(commands: Subcommands) -> None:
    """Add `provisioning cost`."""
    cost = commands.add_parser(
        "cost",
        help="estimated hourly cost of a stack's resources",
        description="Read a stack's state (pulumi stack export) and print each resource's estimated "
        "hourly cost and the total. Run it where `pulumi` works for the stack (its project folder, "
        "backend and passphrase).",
    )
    add_stack_arguments(cost)
    cost.set_defaults(func=_cost)


def _cost(args: argparse.Namespace) -> int:
    items = costs_from_state(export_stack(args.stack, args.cwd))
    total = round(sum(item.hourly for item in items), 6)
    if args.json:
        print(
            json.dumps({"stack": args.stack, "resources": [asdict(i) for i in items], "total_hourly": total})
        )
        return 0
    rows = [(i.type, i.name, f"{i.hourly:.4f}", f"{i.hourly * HOURS_PER_MONTH:.2f}") for i in items]
    rows.append(("total", "", f"{total:.4f}", f"{total * HOURS_PER_MONTH:.2f}"))
    print(render_table(("type", "name", "USD/hour", "USD/month"), rows, right=(2, 3)))
    return 0
