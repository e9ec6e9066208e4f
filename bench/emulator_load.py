"""Load benchmark of the local Custom Cloud: 32 concurrent clients, fixed GET/create counts, 127.0.0.1.

Run: `.venv/bin/python bench/emulator_load.py [--gets 5000] [--creates 1000]`. Starts
`provisioning cloud serve --port 0` on a temporary state file, drives it from this (separate)
process, prints throughput, p50/p99 and the
ratio to the goals (≥ 1,000 GET/s, ≥ 300 creates/s, p99 < 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.cloud import start_cloud, stop_cloud  # noqa: E402

GOALS = {"get": 1000.0, "create": 300.0}
P99_GOAL_MS = 50.0
DEADLINE_S = 60.0


async def _run(
    client: httpx.AsyncClient, jobs: list[tuple[str, str, dict[str, object] | None]], conc: int
) -> list[float]:
    latencies: list[float] = []
    queue = iter(jobs)
    deadline = time.monotonic() + DEADLINE_S

    async def worker() -> None:
        for method, url, body in queue:
            if time.monotonic() > deadline:
                return
            start = time.perf_counter()
            r = await client.request(method, url, json=body)
            latencies.append(time.perf_counter() - start)
            if r.status_code >= 400:
                raise RuntimeError(f"{method} {url} → {r.status_code}")

    await asyncio.gather(*(worker() for _ in range(conc)))
    return latencies


def _report(name: str, lat: list[float], elapsed: float) -> None:
    lat_ms = sorted(x * 1000 for x in lat)
    rate = len(lat) / elapsed
    p50 = statistics.median(lat_ms)
    p99 = lat_ms[int(len(lat_ms) * 0.99) - 1]
    print(
        f"{name:7s} n={len(lat):5d}  {rate:8.0f}/s  p50={p50:6.1f} ms  p99={p99:6.1f} ms  "
        f"throughput ratio={rate / GOALS[name]:.2f}  p99 ratio={P99_GOAL_MS / p99:.2f} (≥1 meets the goal)"
    )


async def _main(url: str, key: str, gets: int, creates: int, conc: int) -> None:
    limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        zones = ["us-west-1a", "us-west-1b", "us-east-1a", "eu-west-1c"]
        jobs: list[tuple[str, str, dict[str, object] | None]] = [
            ("POST", "/instances", {"name": f"b{i}", "machine_type": "micro", "zone": zones[i % 4]})
            for i in range(creates)
        ]
        start = time.perf_counter()
        lat = await _run(client, jobs, conc)
        _report("create", lat, time.perf_counter() - start)
        ids = [i["id"] for i in (await client.get("/instances", params={"page_size": 100})).json()["items"]]
        get_jobs: list[tuple[str, str, dict[str, object] | None]] = [
            ("GET", f"/instances/{ids[i % len(ids)]}", None) for i in range(gets)
        ]
        start = time.perf_counter()
        lat = await _run(client, get_jobs, conc)
        _report("get", lat, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gets", type=int, default=5000)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cloud = start_cloud(Path(tmp) / "bench.db", lifecycle="immediate")
        try:
            print(f"custom cloud at {cloud.url}; {args.concurrency} concurrent clients")
            asyncio.run(_main(cloud.url, cloud.api_key, args.gets, args.creates, args.concurrency))
        finally:
            stop_cloud(cloud.process)


if __name__ == "__main__":
    main()
