"""Every WebStack check fails `pulumi preview` on the real engine naming the field, the value and the rule,
with nothing created: no resource in the stack, nothing on the Custom Cloud. The program is
examples/web-stack; the cloud keeps instances as records (nothing is created anyway)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cloud import start_cloud, stop_cloud

from .test_web_stack import WebStackRun, network, stack_run

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

GOOD: dict[str, Any] = {"app_name": "shop", "network": network("10.81")}

BAD: list[tuple[dict[str, Any], str]] = [
    ({"app_name": ""}, "app_name: app_name cannot be empty (got '')"),
    ({"web_tier": {"replicas": 0}}, "web_tier.replicas: web_tier replicas must be at least 1 (got 0)"),
    ({"app_tier": {"replicas": 0}}, "app_tier.replicas: app_tier replicas must be at least 1 (got 0)"),
    (
        {"app_tier": {"replicas": 3, "auto_scaling": {"min_replicas": 5, "max_replicas": 4}}},
        "app_tier.auto_scaling.min_replicas: app_tier.auto_scaling min_replicas (5) must not exceed "
        "max_replicas (4) (got 5)",
    ),
    (
        {"app_tier": {"replicas": 12}},
        "app_tier.replicas: app_tier replicas must be within auto_scaling min_replicas 2 and max_replicas 10 "
        "while auto scaling is enabled (got 12)",
    ),
    (
        {"database_tier": {"type": "oracle"}},
        "database_tier.type: unknown type 'oracle'; known: postgresql, mysql, custom-database (got 'oracle')",
    ),
    ({"web_tier": {"instance_type": "t3.huge"}}, "web_tier.instance_type: unknown instance_type 't3.huge'"),
    (
        {"network": {**network("10.81"), "public_subnets": ["10.82.1.0/24"]}},
        "network.public_subnets.0: network.public_subnets.0 10.82.1.0/24 must be inside vpc_cidr "
        "10.81.0.0/16",
    ),
    (
        {"network": {**network("10.81"), "private_subnets": ["10.81.1.0/25"]}},
        "network.private_subnets.0: network.private_subnets.0 10.81.1.0/25 overlaps network.public_subnets.0 "
        "10.81.1.0/24",
    ),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStackRun]:
    tmp: Path = tmp_path_factory.mktemp("web-stack-checks")
    cloud = start_cloud(tmp / "custom-cloud.db")
    try:
        run = stack_run(cloud, tmp, GOOD)
        yield run
        run.api.close()
    finally:
        stop_cloud(cloud.process)


@pytest.mark.parametrize(("values", "message"), BAD, ids=[m.split(":")[0] for _, m in BAD])
def test_each_check_fails_preview_naming_the_field(
    project: WebStackRun, values: dict[str, Any], message: str
) -> None:
    project.configure({**GOOD, **values})
    done = project.project.preview(check=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "WebStack 'web-stack': invalid config: " + message in output, output[-2000:]
    assert "Traceback" not in output
    assert project.project.resources() == []
    assert all(found == [] for found in project.left_on_cloud().values())
