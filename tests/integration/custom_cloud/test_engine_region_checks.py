"""The provider's region on the real engine: a zone outside it fails `pulumi preview` (with and without the
policy pack) before anything exists, naming the field, the value, the region and where the region came from;
a load balancer that names no region takes it; a server given only `subnet=` previews clean after `up`; a
network moved to a range its subnet is not inside fails the preview, with nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioning.cli.policy import pack_folder
from tests.support.cloud import CloudHandle

from .conftest import HERE, api, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]

PROGRAM = HERE / "regional_stack"


def _nothing_in(cloud: CloudHandle) -> None:
    with api(cloud) as client:
        for collection in ("instances", "networks", "subnets", "load-balancers"):
            assert client.get(f"/{collection}").json()["items"] == [], collection


@pytest.mark.parametrize("pack", [False, True], ids=["preview", "preview-policy-pack"])
def test_a_zone_outside_the_configured_region_fails_the_preview(
    tmp_path: Path, cloud: CloudHandle, pack: bool
) -> None:
    project = project_for(PROGRAM, tmp_path / "proj", cloud, **{"custom-cloud:region": "us-west-1"})
    project.config_set("t:zone", "us-east-1a")
    extra = ["--policy-pack", str(pack_folder())] if pack else []
    result = project.preview(*extra, check=False)
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        "property zone value {us-east-1a} has a problem: zone 'us-east-1a' is not in region 'us-west-1' "
        "(region 'us-west-1' is the provider's region, from the stack config custom-cloud:region" in text
    ), text
    up = project.run("up", "--yes", "--stack", project.stack, check=False)
    assert up.returncode != 0
    _nothing_in(cloud)  # the preview before `up` refused it: not even the network was made


def test_every_resource_takes_the_configured_region_and_filled_values_never_diff(
    tmp_path: Path, cloud: CloudHandle
) -> None:
    project = project_for(PROGRAM, tmp_path / "proj", cloud, **{"custom-cloud:region": "eu-west-1"})
    project.config_set("t:zone", "eu-west-1b")
    project.up()
    outputs = project.outputs()
    assert outputs["lb_region"] == "eu-west-1"
    assert outputs["vpc"] == outputs["network"]  # filled in by the service from the subnet
    project.preview("--expect-no-changes")

    project.config_set("t:netCidr", "10.62.0.0/16")  # the network moves; its subnet's range does not
    refused = project.preview(check=False)
    assert refused.returncode != 0
    assert (
        "property cidr value {10.61.1.0/24} has a problem: cidr '10.61.1.0/24' is not inside the range "
        "'10.62.0.0/16' of network_id (known once the network exists)" in refused.stdout + refused.stderr
    )
    assert project.run("up", "--yes", "--stack", project.stack, check=False).returncode != 0
    with api(cloud) as client:
        assert [n["id"] for n in client.get("/networks").json()["items"]] == [outputs["network"]]

    project.destroy()
    _nothing_in(cloud)
