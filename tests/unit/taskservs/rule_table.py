"""A declaration's rules, tested one way: a test class states the declaration, a config that passes and how
to build the component, and lists rows that each break one rule; every row is run through the registry (what
the policy pack runs) and through the component's constructor (what fails `pulumi preview`), and both must
name the row's field, value and rule, the component registering nothing. (`test_component_declarations`
checks each declaration's registration and documentation.)"""

from __future__ import annotations

from typing import Any, ClassVar

import pulumi
import pytest

from provisioning.sdk.registry import Declaration

from .mocks import case_ids, refused

__all__ = ["Row", "RuleTable", "broken"]

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
    """Subclass as `TestRules` with the class attributes below and `build`; its tests run over `rows`."""

    declaration: ClassVar[Declaration]
    good: ClassVar[dict[str, Any]]
    """A config the registry's check passes; each row's values are laid over it."""
    component: ClassVar[str]
    """How a refusal names the component: `HAProxy 'lb'`."""
    rows: ClassVar[list[Row]]

    def build(self, values: dict[str, Any]) -> object:
        """The component configured with `values` (over whatever else it needs to be valid)."""
        raise NotImplementedError

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
