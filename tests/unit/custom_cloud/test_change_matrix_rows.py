"""The change matrix's rows come from the declarations: a new field gets a row with no test edited, a field
no rule can change gets a row that fails naming it, and the plans follow the field roles and references."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from provisioning.providers.custom_cloud.specs import CustomCloudVolume
from provisioning.sdk.field_table import change_of, package_declarations
from provisioning.sdk.fields import IN_PLACE
from provisioning.sdk.registry import Declaration
from provisioning.sdk.stubgen import argument_fields
from tests.support.change_matrix import expected_ops, matrix, minimal, target_of

MATRIX = matrix()


def test_every_field_a_user_sets_has_a_row_and_grow_only_ones_two() -> None:
    wanted = set()
    for token, decl in package_declarations("custom-cloud").items():
        short = token.rpartition(":")[2]
        for name in argument_fields(decl.model):
            grows = change_of(decl.model, name) == "grow-only"
            wanted |= {f"{short}-{name}-grow", f"{short}-{name}-shrink"} if grows else {f"{short}-{name}"}
    assert {row.id for row in MATRIX.rows} == wanted
    assert [row.id for row in MATRIX.rows if row.problem] == []


def test_a_new_field_joins_with_a_value_derived_from_its_type() -> None:
    class Wider(CustomCloudVolume):
        """A volume with two more fields."""

        iops: Annotated[int, Field(ge=100, le=64000), IN_PLACE] = 3000
        tier: Literal["standard", "premium"] = "standard"

    decls = dict(package_declarations("custom-cloud"))
    decls["custom-cloud:Volume"] = Declaration("custom-cloud:Volume", Wider)
    rows = {row.id: row for row in matrix(decls).rows}
    iops, tier = rows["Volume-iops"], rows["Volume-tier"]
    assert iops.stack is not None and iops.stack["cm-volume"].args["iops"] == 6000
    assert tier.stack is not None and tier.stack["cm-volume"].args["tier"] == "premium"
    m = matrix(decls)
    assert expected_ops(m, m.base, iops.stack)["cm-volume"] == "update"
    assert expected_ops(m, m.base, tier.stack)["cm-volume"] == "replace"


def test_a_field_no_rule_can_change_fails_its_row_naming_it() -> None:
    class Odd(CustomCloudVolume):
        """A volume with a field of a type the matrix does not know."""

        expires: datetime | None = None

    decls = dict(package_declarations("custom-cloud"))
    decls["custom-cloud:Volume"] = Declaration("custom-cloud:Volume", Odd)
    row = next(r for r in matrix(decls).rows if r.id == "Volume-expires")
    assert row.stack is None and row.problem is not None and "Volume.expires" in row.problem


def test_plans_follow_roles_and_references() -> None:
    rows = {row.id: row for row in MATRIX.rows}

    def plan(row_id: str) -> dict[str, str]:
        stack = rows[row_id].stack
        assert stack is not None
        return {n: op for n, op in expected_ops(MATRIX, MATRIX.base, stack).items() if op != "same"}

    assert plan("Server-machine_type") == {"cm-server": "update"}
    assert plan("Server-region") == {}  # check-only: never a change
    assert plan("Server-disk_size-grow") == {"cm-server": "update"}
    shrink = plan("Server-disk_size-shrink")
    assert shrink["cm-server"] == "replace" and shrink["cm-loadbalancer"] == "update"
    assert shrink.get("cm-volumeattachment") == "replace"
    assert plan("Network-cidr")["cm-server-no-vpc"] == "replace"  # through its subnet


def test_companions_keep_the_apis_cross_field_rules() -> None:
    rows = {row.id: row for row in MATRIX.rows}
    zone = rows["Server-zone"].stack
    assert zone is not None
    server = zone["cm-server"].args
    assert (
        zone[str(target_of(server["subnet"]))].args["zone"] == server["zone"]
    )  # a server in its subnet's zone
    network = rows["Network-cidr"].stack
    assert network is not None
    assert network["cm-subnet"].args["cidr"].startswith(network["cm-network"].args["cidr"].rsplit(".", 2)[0])


def test_required_fields_only_leaves_out_what_the_provider_and_the_service_fill() -> None:
    stack = minimal(MATRIX, "min")
    assert "region" not in stack["min-loadbalancer"].args
    assert "vpc" not in stack["min-server"].args and "subnet" in stack["min-server"].args
