"""The field table: derived from field roles and references, and the one in the provider's doc is current."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from provisioning.providers.custom_cloud import references
from provisioning.sdk.field_table import (
    BEGIN_MARKER,
    END_MARKER,
    Reference,
    change_of,
    dependents_when_replaced,
    find_references,
    main,
    package_declarations,
    render_field_table,
    with_table,
)
from provisioning.sdk.fields import CHECK_ONLY, COMPUTED, GROW_ONLY, IN_PLACE, INTERNAL, OPTION
from provisioning.sdk.registry import Declaration

DOC = Path(__file__).resolve().parents[3] / "docs" / "custom-cloud-provider.md"
REGENERATE = f"python -m provisioning.sdk.field_table {references.__name__} docs/custom-cloud-provider.md"


class Pool(BaseModel):
    """A pool."""

    name: str
    size: Annotated[int, Field(ge=1), GROW_ONLY] = 1
    labels: Annotated[dict[str, str], IN_PLACE] = Field(default_factory=dict)
    timeout: Annotated[float, OPTION] = 1.0
    region: Annotated[str | None, CHECK_ONLY] = None
    cost: Annotated[float | None, COMPUTED] = None
    scope: Annotated[str | None, INTERNAL] = None


class Member(BaseModel):
    """A member of a pool."""

    pool: str
    """Named without `_id`: found through the explicit table."""


class Watcher(BaseModel):
    """Watches members."""

    member_ids: Annotated[list[str], IN_PLACE] = Field(default_factory=list)
    other_id: str = ""
    """Names no declared kind: not a reference."""


DECLS = {
    "t:Member": Declaration("t:Member", Member),
    "t:Pool": Declaration("t:Pool", Pool),
    "t:Watcher": Declaration("t:Watcher", Watcher),
}
EXPLICIT = {("t:Member", "pool"): "t:Pool", ("t:Gone", "x"): "t:Pool"}


def test_each_role_has_its_change() -> None:
    assert [change_of(Pool, f) for f in ("name", "size", "labels", "timeout", "region")] == [
        "replace",
        "grow-only",
        "in place",
        "option",
        "check-only",
    ]
    with pytest.raises(ValueError, match="not compared"):
        change_of(Pool, "cost")


def test_references_come_from_the_table_and_from_id_names() -> None:
    assert find_references(DECLS, EXPLICIT) == (
        Reference("t:Member", "pool", "t:Pool", many=False),
        Reference("t:Watcher", "member_ids", "t:Member", many=True),
    )


def test_a_replacement_passes_down_replacing_references_and_updates_in_place_ones() -> None:
    refs = find_references(DECLS, EXPLICIT)
    assert dependents_when_replaced("t:Pool", DECLS, refs) == (
        "replaced: `Member` (`pool`); updated in place to the new id: `Watcher` (`member_ids`)"
    )
    assert dependents_when_replaced("t:Watcher", DECLS, refs) == ""


def test_the_table_has_one_row_per_user_field_and_says_what_shrinking_does() -> None:
    table = render_field_table(DECLS, find_references(DECLS, EXPLICIT))
    rows = table.splitlines()[2:]
    assert [row.split("|")[2].strip() for row in rows if "`Pool`" in row] == [
        "`name`",
        "`size`",
        "`labels`",
        "`timeout`",
        "`region`",
    ]
    size = next(row for row in rows if "`size`" in row)
    assert "shrinking: replaced: `Member` (`pool`)" in size
    assert "unchanged (same id)" in next(row for row in rows if "`labels`" in row)


def test_with_table_replaces_only_the_text_between_the_markers() -> None:
    document = f"intro\n{BEGIN_MARKER}\nold\n{END_MARKER}\nrest\n"
    assert with_table(document, "| new |\n") == f"intro\n{BEGIN_MARKER}\n| new |\n{END_MARKER}\nrest\n"
    with pytest.raises(ValueError, match="marker"):
        with_table("no markers", "| new |\n")


def test_every_custom_cloud_field_is_in_the_docs_table() -> None:
    decls = package_declarations(references.PACKAGE)
    table = render_field_table(decls, find_references(decls, references.REFERENCES))
    document = DOC.read_text()
    assert with_table(document, table) == document, f"the field table is stale: run `{REGENERATE}`"


def test_check_mode_says_stale_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "doc.md"
    stale.write_text(f"{BEGIN_MARKER}\n| old |\n{END_MARKER}\n")
    assert main([references.__name__, str(stale), "--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert main([references.__name__, str(stale)]) == 0
    assert main([references.__name__, str(stale), "--check"]) == 0
    assert "`Server` | `machine_type` | in place" in stale.read_text()
