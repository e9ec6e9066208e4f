"""Machine boots vs. other projects' writes: does one project's host boots hold another project's writes?

Run: `.venv/bin/python bench/host_writer.py [--boots 30] [--waves 3] [--rounds 150]` (root, Linux).
Starts `provisioning cloud serve --port 0 --hosts machine` on a temporary state folder (127.0.0.1 only),
creates project B through the admin API (project A is the bootstrap project), then:

- `alone`: project B runs `--rounds` rounds of one create (`POST /v1/networks`, record only) and one GET
  (`GET /v1/networks/{id}`), one request at a time;
- `boots`: `--waves` times, project A sends `--boots` machine instance creates at once while project B runs
  the same loop until every create of A answered (each wave at most `--max-seconds` and 20 × `--rounds`
  rounds); A's instances are deleted between waves (not measured).

Prints project B's p50/p99 latency of GET and create in both phases, A's create latencies and the load
average. Deletes every instance and network it made and stops the server, also on failure.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.cloud import CloudHandle, start_cloud, stop_cloud  # noqa: E402


@dataclass
class Samples:
    """Latencies (seconds) of project B's requests in one phase."""

    get: list[float] = field(default_factory=list)
    create: list[float] = field(default_factory=list)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0..1) of `values`."""
    ranked = sorted(values)
    return ranked[max(0, math.ceil(share * len(ranked)) - 1)]


def timed(samples: list[float], call: Callable[[], httpx.Response]) -> httpx.Response:
    """Run `call`, append its latency to `samples`, fail on a non-2xx answer."""
    t0 = time.perf_counter()
    response = call()
    samples.append(time.perf_counter() - t0)
    return response.raise_for_status()


class ProjectB:
    """The second client: creates networks and reads them back, one request at a time."""

    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        self.made: list[str] = []

    def round(self, samples: Samples) -> None:
        """One create then one GET."""
        body = {"name": f"b-{len(self.made)}", "cidr": "10.250.0.0/24"}
        doc = timed(samples.create, lambda: self.api.post("/networks", json=body)).json()
        self.made.append(doc["id"])
        timed(samples.get, lambda: self.api.get(f"/networks/{doc['id']}"))

    def run(
        self,
        rounds: int,
        until: Callable[[], bool] | None = None,
        max_s: float = 0.0,
        samples: Samples | None = None,
    ) -> Samples:
        """`rounds` rounds; with `until`, rounds until it holds (at most `rounds` and `max_s` seconds)."""
        samples = samples or Samples()
        deadline = time.monotonic() + max_s
        for _ in range(rounds):
            if until is not None and (until() or time.monotonic() > deadline):
                break
            self.round(samples)
        return samples

    def cleanup(self) -> None:
        """Delete every network made."""
        for nid in self.made:
            self.api.delete(f"/networks/{nid}")


def project_b(cloud: CloudHandle) -> httpx.Client:
    """A client of a new project B (made through the admin API)."""
    admin = {"Authorization": f"Bearer {cloud.admin_token}"}
    made = httpx.post(f"{cloud.root}/admin/projects", json={"name": "bench-b"}, headers=admin, timeout=30)
    key = made.raise_for_status().json()["api_key"]
    return httpx.Client(base_url=cloud.url, headers={"Authorization": f"Bearer {key}"}, timeout=120)


def boot_all(
    api: httpx.Client, count: int, created: list[str]
) -> tuple[list[Future[float]], ThreadPoolExecutor]:
    """Send `count` machine instance creates of project A at once; each future is one create's latency."""
    go = threading.Barrier(count)

    def create(i: int) -> float:
        go.wait()
        t0 = time.perf_counter()
        body = {"name": f"a-{i}", "machine_type": "micro", "zone": "us-west-1a", "external_ip": False}
        doc = api.post("/instances", json=body).raise_for_status().json()
        created.append(doc["id"])
        return time.perf_counter() - t0

    pool = ThreadPoolExecutor(count)
    return [pool.submit(create, i) for i in range(count)], pool


def delete_instances(api: httpx.Client, ids: list[str], timeout: float = 120.0) -> None:
    """Delete the instances and wait until they are gone."""
    for iid in ids:
        api.delete(f"/instances/{iid}")
    deadline = time.monotonic() + timeout
    for iid in ids:
        while api.get(f"/instances/{iid}").status_code != 404 and time.monotonic() < deadline:
            time.sleep(0.1)


def report(phase: str, samples: Samples) -> None:
    """Print p50/p99 of GET and create of one phase."""
    for name, values in (("GET", samples.get), ("create", samples.create)):
        p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
        print(f"  B {name:<6} {phase:<6} n={len(values):4d}  p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  "
              f"max {max(values) * 1000:8.1f} ms")  # fmt: skip


def wave(api_a: httpx.Client, b: ProjectB, args: argparse.Namespace, busy: Samples) -> list[float]:
    """One wave of A's concurrent creates with B's loop alongside; A's create latencies, then the time
    until the last create answered."""
    ids: list[str] = []
    t0 = time.perf_counter()
    futures, pool = boot_all(api_a, args.boots, ids)
    try:
        b.run(args.rounds * 20, lambda: all(f.done() for f in futures), args.max_seconds, busy)
        return [*sorted(f.result() for f in futures), time.perf_counter() - t0]
    finally:
        pool.shutdown()
        delete_instances(api_a, ids)


def measure(cloud: CloudHandle, args: argparse.Namespace, b: ProjectB) -> None:
    """The two phases and their figures."""
    with cloud.client(timeout=300) as api_a:
        b.run(10)  # warm-up (connections, first writes)
        alone = b.run(args.rounds)
        load = [os.getloadavg()[0]]
        busy = Samples()
        for n in range(args.waves):
            *a_times, wall = wave(api_a, b, args, busy)
            load.append(os.getloadavg()[0])
            print(f"A wave {n + 1}: {args.boots} machine creates at once, all answered in {wall:.2f} s "
                  f"(create p50 {percentile(a_times, 0.5):.2f} s, max {a_times[-1]:.2f} s)")  # fmt: skip
    print(f"load average (1 min) before and after each wave: {', '.join(f'{x:.2f}' for x in load)} "
          f"({os.cpu_count()} CPUs)")  # fmt: skip
    report("alone", alone)
    report("boots", busy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boots", type=int, default=30, help="concurrent machine creates in project A")
    parser.add_argument("--waves", type=int, default=3, help="waves of concurrent creates in project A")
    parser.add_argument("--rounds", type=int, default=150, help="project B rounds (create + GET) alone")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="bound of one wave")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="host-writer-bench-") as tmp:
        cloud = start_cloud(Path(tmp) / "cloud.db", hosts="machine", lifecycle="immediate", timeout=60)
        b = ProjectB(project_b(cloud))
        try:
            measure(cloud, args, b)
        finally:
            b.cleanup()
            b.api.close()
            stop_cloud(cloud.process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
