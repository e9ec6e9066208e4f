"""Fixtures: a real emulator process and a Pulumi project configured to use it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cloud import CloudHandle, running_cloud
from tests.support.pulumi_cli import PulumiProject

HERE = Path(__file__).parent
EXAMPLE = HERE.parents[2] / "examples" / "server"


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[CloudHandle]:
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=0.3) as handle:
        yield handle


@pytest.fixture(scope="module")
def module_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudHandle]:
    """One emulator (lifecycle `immediate`) for a whole module: the change matrix modules deploy their stacks
    on it once and step them row by row."""
    with running_cloud(tmp_path_factory.mktemp("cm-cloud"), lifecycle="immediate") as handle:
        yield handle


def project_for(source: Path, workdir: Path, cloud: CloudHandle, **config: str) -> PulumiProject:
    project = PulumiProject.copy_of(source, workdir, PROVISIONING_LOG_DIR=str(workdir / "logs"))
    project.config_set("custom-cloud:apiUrl", cloud.url)
    project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
    for key, value in config.items():
        project.config_set(key, value)
    return project


def api(cloud: CloudHandle) -> httpx.Client:
    return cloud.client()


def instances(cloud: CloudHandle) -> list[dict[str, Any]]:
    """Every instance; retries injected faults (a fault-injecting emulator fails any route, this one too)."""
    with api(cloud) as client:
        for _ in range(20):
            response = client.get("/instances")
            if response.status_code == 200:
                return list(response.json()["items"])
            time.sleep(0.1)
        response.raise_for_status()
        raise AssertionError(f"GET /instances answered {response.status_code}")


def steps(preview: dict[str, Any], kind: str = "Server") -> list[str]:
    return [s["op"] for s in preview.get("steps", []) if s["urn"].split("::")[-2].endswith(kind)]
