"""Ownership labels: prove that a cloud resource was made by one Pulumi resource, so a create that meets a
name conflict can adopt what an interrupted run left behind (and only that).

A create stamps the resource with `OWNER_LABEL: owner_hash(urn)`; providers strip the label from the
user-facing `labels` (read, outputs) and keep it on every label update."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

__all__ = ["OWNER_LABEL", "URN_KEY", "owner_hash", "owner_of", "with_owner", "without_owner"]

OWNER_LABEL = "pulumi-urn-hash"
"""The label that carries the owner hash."""

URN_KEY = "__urn"
"""The property under which the dynamic host passes the resource URN to `create` (see `sdk/_host.py`)."""


def owner_hash(urn: str) -> str:
    """The first 16 hex digits of sha256(urn)."""
    return hashlib.sha256(urn.encode()).hexdigest()[:16]


def owner_of(props: Mapping[str, Any]) -> str | None:
    """The owner hash for a create's `props`: from the URN the host passed (`__urn`), else from the
    resource's `idempotency_scope` (outside the host, e.g. unit tests); None if neither is there."""
    ident = props.get(URN_KEY) or props.get("idempotency_scope")
    return owner_hash(str(ident)) if ident else None


def with_owner(labels: Mapping[str, str] | None, owner: str | None) -> dict[str, str]:
    """`labels` plus the ownership label (when there is an owner)."""
    out = without_owner(labels)
    if owner:
        out[OWNER_LABEL] = owner
    return out


def without_owner(labels: Mapping[str, str] | None) -> dict[str, str]:
    """`labels` without the ownership label (what the user declared)."""
    return {k: v for k, v in (labels or {}).items() if k != OWNER_LABEL}
