"""`provisioning cluster autoscale` and `provisioning status` on a deployed WebStack (machine hosts, real
engine): with load driven at the app processes, one reconcile scales the app tier out within max; with
none, it scales in to min; `status` shows the cluster by tier; `cluster scale` refuses a tier that does not
scale."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from provisioning.sdk.scaling.autoscale import TOLERANCE

from .test_web_stack import WebStackRun, deployed_web_stack, network, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(1800)]

CLUSTER: dict[str, Any] = {
    "app_name": "scaler",
    "app_version": "1.0",
    "web_tier": {"replicas": 1, "load_balancer": {"enabled": False}},
    "app_tier": {
        "replicas": 2,
        "auto_scaling": {"enabled": True, "min_replicas": 1, "max_replicas": 3, "cpu_threshold": 30},
    },
    "database_tier": {"type": "postgresql", "high_availability": False, "backup_enabled": False},
    "monitoring": {"enabled": True, "metrics_retention": "1d", "alerting": True},
    "network": network("10.88"),
}
LOAD_SECONDS = 240.0
"""The longest the load runs (a bound, whatever happens)."""
SCALE_OUT_CPU = CLUSTER["app_tier"]["auto_scaling"]["cpu_threshold"] * (1 + TOLERANCE) + 5
"""CPU percent per app server clearly past the band in which autoscale keeps the tier as it is (the load
makes Prometheus's one-minute rate climb past the threshold and on: a reconcile at the threshold keeps)."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStackRun]:
    tmp = tmp_path_factory.mktemp("autoscale")
    with deployed_web_stack(tmp, CLUSTER, label="autoscale", public_pool="100.88.0.0/24") as run:
        yield run


def cli(stack: WebStackRun, *command: str, tail: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """`provisioning COMMAND STACK TAIL --cwd PROJECT`, where pulumi works for the stack."""
    where = ["--cwd", str(stack.project.workdir)]
    return subprocess.run(
        [sys.executable, "-m", "provisioning.cli", *command, stack.project.stack, *tail, *where],
        env=stack.project._environment(), capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


class Load:
    """Threads asking each app server for `/work?ms=400` (CPU burnt in the app process) until stopped."""

    def __init__(self, addresses: list[str], per_server: int = 3) -> None:
        self._stop = threading.Event()
        self.answers = 0
        self._threads = [
            threading.Thread(target=self._loop, args=(address,), daemon=True)
            for address in addresses
            for _ in range(per_server)
        ]
        self._deadline = time.monotonic() + LOAD_SECONDS

    def _loop(self, address: str) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                try:
                    client.get(f"http://{address}:8080/work", params={"ms": 400})
                    self.answers += 1
                except httpx.HTTPError:
                    time.sleep(0.2)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)


def app_cpu(stack: WebStackRun) -> list[float]:
    """The app processes' CPU percent as Prometheus has it now (the query autoscale makes)."""
    from provisioning.sdk.scaling import app_cpu_percent

    return list(app_cpu_percent(stack.outputs()["endpoints"]["monitoring"]).values())


def test_status_shows_the_cluster_by_tier(stack: WebStackRun) -> None:
    done = cli(stack, "status")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    for tier in ("database", "app", "web", "monitoring"):
        assert f"web-stack / tier {tier}: healthy" in done.stdout, done.stdout
    assert "cluster web-stack (provisioning:clusters:WebStack): healthy" in done.stdout
    assert stack.password not in done.stdout + done.stderr


def test_a_tier_that_does_not_scale_is_refused(stack: WebStackRun) -> None:
    done = cli(stack, "cluster", "scale", tail=("database", "2", "--preview-only"))
    assert done.returncode == 2
    assert "Invalid tier: database. Valid options: web, app" in done.stderr


def test_load_scales_the_app_tier_out_within_max_and_idleness_in_to_min(stack: WebStackRun) -> None:
    addresses = [m["private_address"] for m in stack.servers("app")]
    with Load(addresses) as load:
        wait_for(f"the app tier's CPU over {SCALE_OUT_CPU:g}% in Prometheus",
                 lambda: (cpu := app_cpu(stack)) and min(cpu) > SCALE_OUT_CPU, seconds=180)  # fmt: skip
        done = cli(stack, "cluster", "autoscale")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "app tier: scale out 2 -> 3 replicas" in done.stdout, done.stdout
    assert load.answers > 0
    assert [m["server"] for m in stack.servers("app")] == ["scaler-app-0", "scaler-app-1", "scaler-app-2"]

    wait_for("the app tier idle in Prometheus", lambda: (cpu := app_cpu(stack)) and max(cpu) < 5, seconds=180)
    done = cli(stack, "cluster", "autoscale")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "app tier: scale in 3 -> 1 replicas" in done.stdout, done.stdout
    assert [m["server"] for m in stack.servers("app")] == ["scaler-app-0"]

    done = cli(stack, "cluster", "autoscale", "--dry-run")
    assert "app tier: keep 1 replicas" in done.stdout, done.stdout
