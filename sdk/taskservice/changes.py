"""Which steps an `up` will run, from each step's fingerprint now and at the last successful `up`.

A step's fingerprint is a hash of everything its command is made of (its scripts, and a slow hash of its
secret input), so it changes exactly when pulumi-command will run the step again. Imports no Pulumi."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from ..unknowns import contains_unknown
from .settings import CATEGORIES, Category

__all__ = ["fingerprint", "planned_changes", "secret_fingerprint"]


def fingerprint(*parts: str | None) -> str:
    """A hash of a step's scripts (None: no script of that kind)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(b"\x01" if part is None else b"\x00" + part.encode() + b"\x00")
    return digest.hexdigest()


def secret_fingerprint(step: str, secret: str) -> str:
    """A slow salted hash of a step's secret input: tells that it changed, not what it is."""
    salt = f"provisioning-taskservice:{step}".encode()
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), salt, 200_000).hex()


def planned_changes(
    olds: Mapping[str, Any], news: Mapping[str, Any], categories: Mapping[str, Sequence[Category | None]]
) -> list[Category]:
    """The categories of the steps that will run: a step new since `olds` runs as its first category
    (`categories[step][0]`), a step whose fingerprint changed (or is not known yet) as its second one."""
    found: set[str] = set()
    for step, value in news.items():
        on_create, on_change = (list(categories.get(step) or (None, None)) + [None, None])[:2]
        if step not in olds:
            category = on_create
        elif contains_unknown(value) or olds[step] != value:
            category = on_change
        else:
            continue
        if category is not None:
            found.add(category)
    return [category for category in CATEGORIES if category in found]
