"""WebStack delete without keep_data on the real engine against machine hosts: a small stack (web 1, app 1,
MariaDB without a replica, no monitoring) serves through its load balancer, and `pulumi destroy` leaves
nothing on the Custom Cloud: no instance, network, subnet or volume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .test_web_stack import deployed_web_stack, network, page, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

CLUSTER: dict[str, Any] = {
    "app_name": "tiny",
    "web_tier": {"replicas": 1, "load_balancer": {"ssl": False}},
    "app_tier": {"replicas": 1, "auto_scaling": {"enabled": False}},
    "database_tier": {"type": "mysql", "high_availability": False, "backup_enabled": False},
    "monitoring": {"enabled": False},
    "network": network("10.82"),
}


def test_destroy_without_keep_data_leaves_nothing(tmp_path: Path) -> None:
    with deployed_web_stack(tmp_path, CLUSTER, label="mysql stack", public_pool="100.82.0.0/24") as run:
        url = run.web()
        first = wait_for("the app's page through the load balancer", lambda: page(url))
        assert first["app"] == "tiny" and first["hostname"] == "tiny-app-0"
        assert page(url)["visits"] > first["visits"]  # MariaDB took the row and counted it
        assert run.outputs()["endpoints"]["monitoring"] == ""
        run.project.destroy()
        left = run.left_on_cloud()
        assert left == {"instances": [], "networks": [], "subnets": [], "load-balancers": [], "volumes": []}
