"""The estimated hourly cost of what a program declares: every declared resource with an
`estimated_hourly_cost` output counts, and `stack_hourly_cost()` sums them (known at preview).

>>> pulumi.export("hourly_cost", stack_hourly_cost())  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

__all__ = ["COST_OUTPUT", "cost_of", "stack_hourly_cost", "track_cost"]

COST_OUTPUT = "estimated_hourly_cost"
"""The output that carries a resource's estimated USD per hour."""

_costs: dict[str, list[pulumi.Output[Any]]] = {}


def _stack() -> str:
    return f"{pulumi.get_project()}/{pulumi.get_stack()}"


def track_cost(cost: pulumi.Output[Any]) -> None:
    """Count `cost` (a resource's estimated USD per hour) in this program's stack total."""
    _costs.setdefault(_stack(), []).append(cost)


def stack_hourly_cost() -> pulumi.Output[float]:
    """The sum of the estimated USD per hour of every resource declared so far in this program."""
    return pulumi.Output.all(*_costs.get(_stack(), [])).apply(
        lambda values: round(sum(float(v or 0.0) for v in values), 6)
    )


def cost_of(outputs: Mapping[str, Any]) -> float | None:
    """A resource's estimated USD per hour from its recorded outputs, or None if it has none."""
    value = outputs.get(COST_OUTPUT)
    return float(value) if isinstance(value, int | float) else None
