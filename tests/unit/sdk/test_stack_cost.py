"""The stack's estimated cost: the total and the sum by type, counting resources declared in callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from provisioning.sdk import cost


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any] | None]:
        return {}, None


@pytest.fixture
def fresh_costs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(cost, "_costs", {})
    monkeypatch.setattr(cost, "_exported", set())
    pulumi.runtime.set_mocks(_NoResources(), preview=False)
    try:
        yield
    finally:
        pulumi.runtime.settings.reset_options()


def test_the_summary_sums_by_type_and_in_total() -> None:
    kinds = ["custom-cloud:Server", "custom-cloud:Volume", "custom-cloud:Server"]
    summary = cost.cost_summary(kinds, [0.07, 0.02, None])
    by_type = {"custom-cloud:Server": 0.07, "custom-cloud:Volume": 0.02}
    assert summary == {"hourly_usd": 0.09, "by_type": by_type}
    assert cost.cost_line(summary) == (
        "estimated hourly cost: 0.0900 USD (custom-cloud:Server 0.0700, custom-cloud:Volume 0.0200)"
    )


@pulumi.runtime.test
def test_resources_declared_while_costs_resolve_are_counted(fresh_costs: None) -> Any:
    first = pulumi.Output.from_input(0.07)
    cost.track_cost(first, "custom-cloud:Server")
    # a resource declared from another's output, after the program's body has run
    first.apply(lambda _: cost.track_cost(pulumi.Output.from_input(0.5), "custom-cloud:LoadBalancer"))
    cost.track_cost(pulumi.Output.from_input(0.15), "custom-cloud:Server")

    def check(summary: dict[str, Any]) -> None:
        assert summary == {
            "hourly_usd": 0.72,
            "by_type": {"custom-cloud:LoadBalancer": 0.5, "custom-cloud:Server": 0.22},
        }

    return cost.stack_cost().apply(check)
