"""Query and path parameter types shared by the resource routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from ..errors import ValidationFailed

__all__ = ["LabelFilter", "NameFilter", "PageSize", "PageToken", "ResourcePath", "parse_labels"]

PageSize = Annotated[int, Query(ge=1, le=500, description="Items per page (1..500).")]
PageToken = Annotated[str | None, Query(max_length=200, description="Opaque token from the previous page.")]
NameFilter = Annotated[str | None, Query(max_length=63, description="Only resources with this name.")]
LabelFilter = Annotated[list[str] | None, Query(description="`key=value`; repeatable, all must match.")]
ResourcePath = Annotated[str, Path(min_length=1, max_length=64)]


def parse_labels(raw: list[str] | None) -> list[tuple[str, str]]:
    """`["env=prod"]` → `[("env", "prod")]`; 422 naming `label` for an entry without `=`."""
    pairs = []
    for item in raw or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValidationFailed.field(
                "label", item, "key=value", f"label filter {item!r} is not key=value"
            )
        pairs.append((key, value))
    return pairs
