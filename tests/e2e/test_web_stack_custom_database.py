"""WebStack with `database_tier.type: custom-database` on the real engine against machine hosts: the app
servers use CustomDatabase (a primary and a streaming standby); a request through the load balancer writes
a visit there and counts it back, and every tier, the standby's streaming check included, is healthy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .test_web_stack import deployed_web_stack, network, page, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

CLUSTER: dict[str, Any] = {
    "app_name": "custom",
    "web_tier": {"replicas": 1, "load_balancer": {"ssl": False}},
    "app_tier": {"replicas": 1, "auto_scaling": {"enabled": False}},
    "database_tier": {"type": "custom-database", "high_availability": True},
    "monitoring": {"enabled": False},
    "network": network("10.83"),
}


def test_the_app_uses_a_replicated_custom_database(tmp_path: Path) -> None:
    with deployed_web_stack(
        tmp_path, CLUSTER, label="custom-database stack", public_pool="100.83.0.0/24"
    ) as run:
        url = run.web()
        first = wait_for("the app's page through the load balancer", lambda: page(url))
        assert first["app"] == "custom" and first["hostname"] == "custom-app-0"
        assert page(url)["visits"] > first["visits"]  # CustomDatabase took the row and counted it
        out = run.outputs()
        assert [m["role"] for m in out["components"]["database"]] == ["primary", "replica"]
        [service] = {s["type"] for m in out["components"]["database"] for s in m["services"]}
        assert service == "provisioning:taskservs:CustomDatabase"
        assert out["healthy"] is True and out["status"]["database"]["healthy"] is True
