"""Values not yet known at preview (the dynamic host passes them as `pulumi.output.Unknown`)."""

from __future__ import annotations

from typing import Any

from pulumi.output import Unknown
from pulumi.runtime import rpc

__all__ = ["UNKNOWN", "contains_unknown", "normalize_unknowns"]

UNKNOWN: str = rpc.UNKNOWN
"""The wire sentinel of an unknown value; serializes back to the engine as unknown."""


def contains_unknown(value: Any) -> bool:
    """True if `value` is, or contains, an unknown."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def normalize_unknowns(value: Any) -> Any:
    """`value` with every `Unknown` replaced by the wire sentinel (which the host can serialize)."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: normalize_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_unknowns(v) for v in value]
    return value
