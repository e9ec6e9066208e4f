"""One declaration per resource: the registry, the roles derived from field markers, the generated stub and
the typed arguments it gives type checkers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from provisioning.providers.custom_cloud.api import models
from provisioning.providers.custom_cloud.api.collections import INSTANCES, LOAD_BALANCERS, VOLUMES
from provisioning.providers.custom_cloud.specs import SERVER
from provisioning.sdk import fields, registry
from provisioning.sdk.stubgen import formatted, render_stub, stub_path

RESOURCES = "provisioning.providers.custom_cloud.resources"
ROOT = Path(__file__).resolve().parents[3]


def test_registry_finds_every_custom_cloud_resource_through_its_entry_point() -> None:
    tokens = set(registry.declarations())
    expected = {"Server", "Network", "Subnet", "LoadBalancer", "Volume"}
    assert {f"custom-cloud:{name}" for name in expected} <= tokens
    assert registry.declaration_for_type("pulumi-python:dynamic/custom-cloud:Server") is SERVER
    with pytest.raises(registry.UnknownTypeToken, match="custom-cloud:Server"):
        registry.declaration("custom-cloud:Nope")


def test_a_token_cannot_be_taken_by_another_model() -> None:
    class Other(BaseModel):
        name: str

    with pytest.raises(ValueError, match="already registered"):
        registry.register(registry.Declaration("custom-cloud:Server", Other))


def test_declaration_check_names_field_value_and_rule_and_runs_cross_field_rules() -> None:
    found = SERVER.check({"name": "web", "machine_type": "", "zone": "us-west-1a", "disk_size": 5})
    assert {(v.field, v.value, v.rule) for v in found} == {
        ("machine_type", "", "machine_type cannot be empty"),
        ("disk_size", 5, "disk_size must be at least 10GB"),
    }
    [wrong_region] = SERVER.check(
        {"name": "web", "machine_type": "small", "zone": "eu-west-1a", "region": "us-west-1"}
    )
    assert (wrong_region.field, wrong_region.rule) == (
        "zone",
        "zone 'eu-west-1a' is not in region 'us-west-1'",
    )
    assert SERVER.check({"name": "web", "machine_type": "small", "zone": "bad"}, unknown={"zone"}) == []


def test_roles_derive_update_bodies_and_replacements() -> None:
    assert set(models.InstanceUpdate.model_fields) == {"machine_type", "disk_size", "labels"}
    assert set(models.LoadBalancerUpdate.model_fields) == {
        "listeners",
        "target_instance_ids",
        "health_check_path",
        "labels",
    }
    assert set(models.VolumeUpdate.model_fields) == {"size", "labels"}
    fixed = {"name", "zone", "disk_type", "vpc", "subnet", "external_ip", "preemptible"}
    assert fields.replace_fields(SERVER.model) == fixed | {"ssh_public_key", "user_data"}
    assert fields.fields_with(SERVER.model, fields.GROW_ONLY) == ("disk_size",)
    assert "create_timeout" not in fields.replace_fields(SERVER.model)  # an option never replaces
    assert "estimated_hourly_cost" not in fields.compared_fields(SERVER.model)
    for collection in (INSTANCES, LOAD_BALANCERS, VOLUMES):  # the update body keeps the create's limits
        schema = collection.update.model_json_schema()
        assert schema["additionalProperties"] is False


def test_update_model_keeps_limits_and_makes_fields_optional() -> None:
    class Base(BaseModel):
        size: Annotated[int, Field(ge=1, le=9), fields.GROW_ONLY]
        """Size."""
        label: str = "x"

    class Update(fields.update_model(Base)):  # type: ignore[misc]
        """The update."""

    assert Update().model_dump(exclude_none=True) == {}
    assert set(Update.model_fields) == {"size"}
    with pytest.raises(ValueError, match="less than or equal to 9"):
        Update(size=10)


def test_checked_in_stub_is_generated_from_the_declarations() -> None:
    assert stub_path(RESOURCES).read_text() == formatted(render_stub(RESOURCES)), (
        f"the stub is stale: run `python -m provisioning.sdk.stubgen {RESOURCES}`"
    )


def _mypy(tmp_path: Path, program: str) -> subprocess.CompletedProcess[str]:
    """mypy (strict) on `program` against the package as a user's checker sees it (a tree of links: the
    editable install's import hook is invisible to mypy)."""
    tree = tmp_path / "site" / "provisioning"
    tree.mkdir(parents=True)
    for item in (ROOT / "src" / "provisioning").iterdir():
        (tree / item.name).symlink_to(item)
    for folder in ("sdk", "providers", "components", "policies", "emulator"):
        (tree / folder).symlink_to(ROOT / folder)
    source = tmp_path / "program.py"
    source.write_text(program)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--no-incremental",
            str(source),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"MYPYPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


PROGRAM = """
import pulumi
from provisioning.providers.custom_cloud import Network, Server, ServerArgs

net = Network("net", cidr="10.0.0.0/16")
web = Server("web", machine_type="small", zone="us-west-1a", vpc=net.id, labels={"tier": "web"})
db = Server("db", ServerArgs(machine_type="medium", zone="us-west-1b", disk_size=50))
ip: pulumi.Output[str | None] = web.private_ip
"""


@pytest.mark.timeout(600)
def test_type_checker_catches_a_misspelt_keyword_and_accepts_a_good_program(tmp_path: Path) -> None:
    good = _mypy(tmp_path / "good", PROGRAM)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _mypy(tmp_path / "bad", PROGRAM + 'Server("x", machine_typ="small", zone="us-west-1a")\n')
    assert bad.returncode == 1 and 'Unexpected keyword argument "machine_typ"' in bad.stdout, bad.stdout


def test_misspelt_keyword_fails_at_run_time_naming_it() -> None:
    from provisioning.providers.custom_cloud import Server

    with pytest.raises(TypeError, match="unknown argument\\(s\\) machine_typ; it takes: .*machine_type"):
        Server("x", machine_typ="small", zone="us-west-1a")
