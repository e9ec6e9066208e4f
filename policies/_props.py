"""Reading a resource's properties as the policy engine hands them over: plain values, with the names of those
not known yet (at preview) set apart, secrets unwrapped and whole numbers back as integers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy.proxy import UnknownValueError
from pulumi_policy.secret import Secret

__all__ = ["known_props", "plain"]


def plain(value: Any) -> Any:
    """`value` with every policy proxy and `Secret` turned into plain dicts, lists and values."""
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): plain(value[k]) for k in value}
    if isinstance(value, list | tuple) or type(value).__name__ == "_ListProxy":
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # numbers cross the engine as floats; the declarations want their integers back
    return value


def known_props(props: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The properties whose values are known, and the names of those that are not (yet)."""
    known: dict[str, Any] = {}
    unknown: set[str] = set()
    for key in list(props):
        try:
            known[str(key)] = plain(props[key])
        except UnknownValueError:
            unknown.add(str(key))
    return known, unknown
