"""The estimated hourly cost of what a program declares: every declared resource with an
`estimated_hourly_cost` output counts. The stack output `estimated_cost` (the total in USD per hour and the
sum by resource type) is exported for every program that declares one, so `pulumi preview` and `pulumi up`
show the cost and its change without flags; `stack_hourly_cost()` sums what was declared so far.

>>> pulumi.export("hourly_cost", stack_hourly_cost())  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.runtime import known_types
from pulumi.runtime.settings import get_root_resource, is_dry_run

__all__ = [
    "COST_OUTPUT",
    "STACK_COST_OUTPUT",
    "cost_line",
    "cost_of",
    "cost_summary",
    "stack_cost",
    "stack_hourly_cost",
    "track_cost",
]

COST_OUTPUT = "estimated_hourly_cost"
"""The output that carries a resource's estimated USD per hour."""
STACK_COST_OUTPUT = "estimated_cost"
"""The stack output the SDK exports: `{"hourly_usd": total, "by_type": {type token: USD per hour}}`."""

_costs: dict[str, list[tuple[str, pulumi.Output[Any]]]] = {}
_exported: set[str] = set()


def _stack() -> str:
    return f"{pulumi.get_project()}/{pulumi.get_stack()}"


def track_cost(cost: pulumi.Output[Any], type_token: str = "other") -> None:
    """Count `cost` (a resource's estimated USD per hour, of type `type_token`) in this program's stack
    total; the first one also exports the stack output `estimated_cost`."""
    key = _stack()
    _costs.setdefault(key, []).append((type_token, cost))
    if key not in _exported and known_types.is_stack(get_root_resource()):
        _exported.add(key)
        summary = stack_cost()
        pulumi.export(STACK_COST_OUTPUT, summary)
        if is_dry_run():
            summary.apply(lambda known: pulumi.log.info(cost_line(known)))


def stack_hourly_cost() -> pulumi.Output[float]:
    """The sum of the estimated USD per hour of every resource declared so far in this program."""
    return pulumi.Output.all(*(cost for _, cost in _costs.get(_stack(), []))).apply(
        lambda values: round(sum(float(v or 0.0) for v in values), 6)
    )


def cost_summary(kinds: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """`{"hourly_usd": total, "by_type": {kind: sum}}` of resources of `kinds` costing `values` USD/hour."""
    by_type: dict[str, float] = {}
    for kind, value in zip(kinds, values, strict=True):
        by_type[kind] = by_type.get(kind, 0.0) + float(value or 0.0)
    rounded = {kind: round(total, 6) for kind, total in sorted(by_type.items())}
    return {"hourly_usd": round(sum(by_type.values()), 6), "by_type": rounded}


def cost_line(summary: Mapping[str, Any]) -> str:
    """The summary in one line: `estimated hourly cost: 0.1400 USD (custom-cloud:Server 0.1400)`."""
    parts = ", ".join(f"{kind} {value:.4f}" for kind, value in summary["by_type"].items())
    return f"estimated hourly cost: {summary['hourly_usd']:.4f} USD ({parts})"


def stack_cost() -> pulumi.Output[dict[str, Any]]:
    """The cost summary of every resource the program declares, including those declared while the costs
    known so far resolve (in `apply` callbacks): it settles once no more were declared meanwhile."""
    key = _stack()

    def settled(count: int) -> pulumi.Output[dict[str, Any]]:
        entries = list(_costs.get(key, []))[:count]

        def done(values: list[Any]) -> Any:
            declared = len(_costs.get(key, []))
            if declared > count:
                return settled(declared)
            return cost_summary([kind for kind, _ in entries], values)

        return pulumi.Output.all(*(cost for _, cost in entries)).apply(done)

    return pulumi.Output.from_input(None).apply(lambda _: settled(len(_costs.get(key, []))))


def cost_of(outputs: Mapping[str, Any]) -> float | None:
    """A resource's estimated USD per hour from its recorded outputs, or None if it has none."""
    value = outputs.get(COST_OUTPUT)
    return float(value) if isinstance(value, int | float) else None
