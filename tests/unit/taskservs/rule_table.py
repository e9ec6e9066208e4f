"""A declaration's rules, tested one way: a test module gives the declaration, a config that passes, how
to build the component and rows that each break one rule (`rule_tests`); every row is run through the
registry (what the policy pack runs) and through the component's constructor (what fails `pulumi
preview`), and both must name the row's field, value and rule, the component registering nothing.
(`test_component_declarations` checks each declaration's registration and documentation.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pulumi
import pytest

from provisioning.sdk.registry import Declaration

from .mocks import case_ids, refused

__all__ = ["Row", "RuleTable", "broken", "rule_tests"]

Row = tuple[dict[str, Any], str, Any, str]
"""(values that break one rule, the field named, the value named, the rule's message)."""


def broken(field: str, value: Any, rule: str, *, given: dict[str, Any] | None = None) -> Row:
    """A row: `given` breaks `rule` on `field` with `value`; by default `given` is `value` at `field`, a
    dotted path (`backup.schedule` → `{"backup": {"schedule": value}}`)."""
    if given is None:
        *parents, last = field.split(".")
        given = {last: value}
        for part in reversed(parents):
            given = {part: given}
    return (given, field, value, rule)


class RuleTable:
    """The tests of one declaration's rows (made by `rule_tests`, which sets the attributes)."""

    declaration: ClassVar[Declaration]
    good: ClassVar[dict[str, Any]]
    """A config the registry's check passes; each row's values are laid over it."""
    component: ClassVar[str]
    """How a refusal names the component: `HAProxy 'lb'`."""
    build: ClassVar[Callable[[dict[str, Any]], object]]
    """The component configured with a row's values (over whatever else it needs to be valid)."""
    rows: ClassVar[list[Row]]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "row" in metafunc.fixturenames:
            metafunc.parametrize("row", self.rows, ids=case_ids(self.rows))

    def test_the_good_config_passes(self) -> None:
        assert self.declaration.check(self.good) == []

    def test_each_rule_names_field_value_and_rule(self, row: Row) -> None:
        values, field, value, rule = row
        [found] = self.declaration.check({**self.good, **values})
        assert (found.field, found.value, found.rule) == (field, value, rule)

    def test_the_component_fails_before_registering_anything(self, row: Row) -> None:
        values, field, value, rule = row
        error = refused(lambda: self.build(values))
        assert (error.field, error.value, error.rule) == (field, value, rule)
        assert str(error) == f"{self.component}: invalid config: {field}: {rule} (got {value!r})"
        assert isinstance(error, pulumi.RunError)  # Pulumi prints the message without a traceback


def rule_tests(
    declaration: Declaration,
    good: dict[str, Any],
    component: str,
    build: Callable[[dict[str, Any]], object],
    rows: list[Row],
) -> type[RuleTable]:
    """A test class (assign it to a `Test…` name) running `rows` through `declaration.check` over `good` and
    through `build`, whose refusal names the component as `component`."""
    attributes = {"good": good, "component": component, "build": staticmethod(build), "rows": rows}
    return type("TestRules", (RuleTable,), {"declaration": declaration, **attributes})
