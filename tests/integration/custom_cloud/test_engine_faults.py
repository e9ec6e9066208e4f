"""`pulumi up` of examples/server while the emulator injects 20 % 5xx/429 and latency, and through an outage
of the instance route longer than the client's own retries."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from provisioning.sdk.api_client import RetryPolicy
from tests.support.cloud import CloudHandle, running_cloud
from tests.support.matrix_engine import set_faults

from .conftest import EXAMPLE, instances, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]


def test_up_converges_under_injected_faults(tmp_path: Path) -> None:
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=0.3, fault_error_rate=0.2,
                       fault_latency_ms=50) as cloud:  # fmt: skip
        project = project_for(EXAMPLE, tmp_path / "proj", cloud)
        project.up()
        live = instances(cloud)
        assert sorted(i["name"] for i in live) == ["example-1", "example-2"]
        assert sorted(project.outputs()["server_ids"]) == sorted(i["id"] for i in live)
        project.preview("--expect-no-changes")
        project.destroy()
        assert instances(cloud) == []
        logs = "".join(p.read_text() for p in (tmp_path / "proj" / "logs").glob("*.log"))
        assert "retrying" in logs  # faults were met and retried, not avoided


def _retry_budget(policy: RetryPolicy) -> float:
    """The longest a client with `policy` keeps retrying one request (its backoff, no jitter)."""
    longest = dataclasses.replace(policy.backoff, jitter=0.0)
    return sum(longest.delay(n) for n in range(policy.attempts - 1))


def _outage_ends(cloud: CloudHandle, seconds: float, stop: threading.Event) -> None:
    """Turn the cloud's faults off `seconds` after its first instance exists (its boot is then awaited)."""
    while not stop.is_set() and not instances(cloud):
        stop.wait(0.1)
    if not stop.wait(seconds):
        set_faults(cloud)


def test_servers_awaited_through_an_outage_longer_than_the_clients_retries_are_kept(tmp_path: Path) -> None:
    """Every `GET /v1/instances/{id}` answers 503 from before the servers are created until longer than the
    client retries one request after, but well within their `create_timeout`: the waits for their boots go
    on through the outage, and the `up` ends with each server made once and a clean preview (a booted server
    is not lost to an API outage)."""
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=1.0) as cloud:
        project = project_for(EXAMPLE, tmp_path / "proj", cloud)
        set_faults(cloud, error_rate=1.0, error_statuses=[503], routes=["GET /v1/instances/{instance_id}"])
        stop = threading.Event()
        recovery = threading.Thread(target=_outage_ends, args=(cloud, _retry_budget(RetryPolicy()) + 5, stop))
        recovery.start()
        try:
            project.up()
        finally:
            stop.set()
            recovery.join()
            set_faults(cloud)
        live = instances(cloud)
        assert sorted(i["name"] for i in live) == ["example-1", "example-2"]
        assert all(i["status"] == "running" for i in live)
        project.preview("--expect-no-changes")
        logs = "".join(p.read_text() for p in (tmp_path / "proj" / "logs").glob("*.log"))
        assert "-> 503 (attempt 8)" in logs  # a poll used up the client's retries, and the wait went on
        project.destroy()
