"""WebStack `pulumi up` (web 3, app 5, PostgreSQL with a replica, monitoring) on machine hosts, against its
critical-path bound and against a sequential run. Prints figures; never a timed test.

- **up**: the wall time of `pulumi up` of examples/web-stack on a fresh stack (`PULUMI_PARALLEL` as
  scripts/env.sh sets it).
- **bound**: the longest chain of steps (server boots, subnets, install/configure/health commands …) through
  the dependencies the run really had, each step weighted by its own time in the same run. A step's time is
  from its `resourcePreEvent` to its `resOutputsEvent` among the engine events `pulumi up --json`
  streams, timed as they arrive; its dependencies are those in the state (`pulumi stack export`) plus its
  parents' (a component's `depends_on` holds back all of its children).
- **sequential**: the same program, client and installs run one step at a time (`pulumi up --parallel 1`,
  on a fresh stack): every boot and install after the one before, as the guide's deploy order does
  (network, database, app servers one by one, web servers one by one, load balancer, monitoring); its total
  is the sum of the same steps whatever their order.

Goals: up ≤ 1.5 × bound, sequential ≥ 3 × up. Run (as root): `python bench/web_stack.py [--image PATH]`
(machine hosts boot for real: no boot delay unless asked; the image: PATH,
else $PROVISIONING_MACHINE_IMAGE, else the minimal one, whose servers install their packages with apt).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.test_web_stack import network, stack_run  # noqa: E402
from tests.support.cloud import start_cloud, stop_cloud  # noqa: E402

CLUSTER: dict[str, Any] = {
    "app_name": "bench",
    "web_tier": {"replicas": 3, "load_balancer": {"ssl": False}},
    "app_tier": {"replicas": 5},
    "database_tier": {"type": "postgresql", "high_availability": True},
    "monitoring": {"enabled": True},
    "network": network("10.85"),
}


class EventTimes:
    """Reads the engine events `pulumi up --json` streams (one JSON object a line) as they arrive; records
    when each resource's step starts and ends."""

    def __init__(self) -> None:
        self.started: dict[str, float] = {}
        self.ended: dict[str, float] = {}

    def read(self, lines: Iterable[str]) -> None:
        for line in lines:
            now = time.monotonic()
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                self._event(event, now)

    def _event(self, event: Mapping[str, Any], now: float) -> None:
        if "resourcePreEvent" in event:
            metadata = event["resourcePreEvent"]["metadata"]
            if metadata.get("op") not in ("same", "read"):
                self.started.setdefault(metadata["urn"], now)
        elif "resOutputsEvent" in event:
            urn = event["resOutputsEvent"]["metadata"]["urn"]
            if urn in self.started:
                self.ended[urn] = now

    def durations(self) -> dict[str, float]:
        return {urn: self.ended[urn] - start for urn, start in self.started.items() if urn in self.ended}


def critical_path(resources: list[dict[str, Any]], durations: Mapping[str, float]) -> tuple[float, list[str]]:
    """The longest chain of step times through the dependencies (a component's dependencies also hold its
    children back; a dependency on a component waits for all of its descendants)."""
    by_urn = {r["urn"]: r for r in resources}
    children: dict[str, list[str]] = {}
    for r in resources:
        if r.get("parent"):
            children.setdefault(r["parent"], []).append(r["urn"])

    def descendants(urn: str) -> list[str]:
        found = []
        for child in children.get(urn, []):
            found += [child, *descendants(child)]
        return found

    def waits_for(urn: str) -> set[str]:
        found: set[str] = set()
        node: str | None = urn
        while node in by_urn:
            for dep in by_urn[node].get("dependencies") or []:
                found |= {dep, *descendants(dep)}
            node = by_urn[node].get("parent")
        return found

    custom = {r["urn"] for r in resources if r.get("custom")}
    memo: dict[str, tuple[float, list[str]]] = {}

    def longest(urn: str) -> tuple[float, list[str]]:
        if urn not in memo:
            before = max((longest(dep) for dep in waits_for(urn) if dep in by_urn), default=(0.0, []))
            own = durations.get(urn, 0.0) if urn in custom else 0.0  # a component's events span its children
            memo[urn] = (before[0] + own, [*before[1], urn])
        return memo[urn]

    return max((longest(urn) for urn in by_urn), default=(0.0, []))


def deploy(
    cloud: Any, root: Path, name: str, *extra: str
) -> tuple[float, dict[str, float], list[dict[str, Any]], tuple[float, float]]:
    """`pulumi up` of a fresh stack: its wall time, each step's time, the resources in the state, and the
    time before its first step and after its last."""
    run = stack_run(cloud, root / name, CLUSTER, name="proj")
    events = EventTimes()
    command = ["pulumi", "up", "--yes", "--skip-preview", "--json", "--stack", run.project.stack, *extra]
    started = time.monotonic()
    with subprocess.Popen(command, cwd=run.project.workdir, env=run.project._environment(), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as up:  # fmt: skip
        assert up.stdout is not None
        events.read(up.stdout)
    ended = time.monotonic()
    wall = ended - started
    edges = (min(events.started.values()) - started, ended - max(events.ended.values()))
    if up.returncode != 0:
        raise SystemExit(f"pulumi up {' '.join(extra)} failed (exit {up.returncode})")
    resources = run.project.resources()
    run.project.destroy()
    run.api.close()
    return wall, events.durations(), resources, edges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--image", type=Path, help="the machines' image (e.g. .tools/images/debian-12-taskservices)"
    )
    parser.add_argument(
        "--boot-delay",
        type=float,
        default=0.0,
        help="seconds the API adds to a boot (default 0: machines boot for real)",
    )
    parser.add_argument(
        "--save", type=Path, help="write each step's time and the state's resources here (JSON)"
    )
    opts = parser.parse_args()
    if opts.image:
        os.environ["PROVISIONING_MACHINE_IMAGE"] = str(opts.image.resolve())  # the cloud's environment
    with tempfile.TemporaryDirectory(prefix="bench-web-stack-") as tmp:
        root = Path(tmp)
        cloud = start_cloud(root / "cloud.db", hosts="machine", lifecycle="timed",
                            boot_delay=opts.boot_delay, public_pool="100.85.0.0/24", timeout=60)  # fmt: skip
        try:
            (root / "parallel").mkdir()
            wall, durations, resources, (before, after) = deploy(cloud, root, "parallel")
            bound, chain = critical_path(resources, durations)
            (root / "sequential").mkdir()
            sequential, _, _, _ = deploy(cloud, root, "sequential", "--parallel", "1")
            if opts.save:
                opts.save.write_text(json.dumps({"durations": durations, "resources": resources}))
        finally:
            stop_cloud(cloud.process)
    servers = sum(1 for r in resources if r["type"].endswith("custom-cloud:Server"))
    image = os.environ.get("PROVISIONING_MACHINE_IMAGE", "the minimal image")
    hosts = f"machine hosts ({image})"
    print(f"WebStack: {servers} servers (web 3, app 5, PostgreSQL primary + replica, load balancer, "
          f"monitoring), {len(durations)} steps, {hosts}, boot delay {opts.boot_delay} s")  # fmt: skip
    print(f"  pulumi up                      {wall:7.1f} s")
    print(f"  critical-path bound            {bound:7.1f} s   up / bound = {wall / bound:.2f}  (goal <= 1.5)")
    ratio = sequential / wall
    print(
        f"  sequential (--parallel 1)      {sequential:7.1f} s   sequential / up = {ratio:.2f}  (goal >= 3)"
    )
    print(f"  of the up: {before:.1f} s before its first step (the program starting), {after:.1f} s "
          "after its last (outputs, the state written)")  # fmt: skip
    custom = {r["urn"] for r in resources if r.get("custom")}
    steps = sum(v for urn, v in durations.items() if urn in custom)
    print(f"  the up's steps took {steps:.1f} s in all ({steps / wall:.1f} at once on average) on "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} after the runs")  # fmt: skip
    print("  the critical path (each step's own time in the up):")
    for urn in chain:
        if urn in custom and durations.get(urn):
            print(f"    {durations[urn]:6.2f} s  {urn.rsplit('::', 1)[-1]}")


if __name__ == "__main__":
    main()
