"""Load benchmark of the local Custom Cloud: 32 concurrent connections, fixed duration, 127.0.0.1 only.

Run: `.venv/bin/python bench/emulator_load.py [--duration 10] [--connections 32] [--client wrk|httpx]`.
Starts `provisioning cloud serve --port 0` on a temporary state file (lifecycle `immediate`, the
default `synchronous=FULL`), then drives it from a second process:

- `create`: `POST /v1/instances`, a unique name and a unique `Idempotency-Key` per request;
- `get`: `GET /v1/instances/{id}` over the instances created before.

The load generator is `wrk` (C, event loop: it leaves the CPU to the server; installed by
`scripts/bench-tools.sh`, which this script runs when wrk is missing). Without wrk it falls back to a
Python httpx client, which itself eats a large share of a small machine's CPU: its figures are a lower
bound. Prints throughput, p50/p99 and the ratio to the goals (≥ 1,000 GET/s, ≥ 300 creates/s,
p99 < 50 ms). Every non-2xx answer or socket error is counted and reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.support.cloud import start_cloud, stop_cloud  # noqa: E402

GOALS = {"get": 1000.0, "create": 300.0}
P99_GOAL_MS = 50.0
ZONES = ["us-west-1a", "us-west-1b", "us-east-1a", "eu-west-1c"]

# One Lua script for both phases; the key and the id file come from the environment (never argv).
_LUA = r"""
local mode = os.getenv("CC_BENCH_MODE")
local auth = "Bearer " .. os.getenv("CC_BENCH_KEY")
local zones = {"us-west-1a", "us-west-1b", "us-east-1a", "eu-west-1c"}
local ids = {}
local counter = 0
local tid = 0
local next_tid = 0
local bad = 0

function setup(thread)
    thread:set("tid", next_tid)
    next_tid = next_tid + 1
end

function init(args)
    if mode == "get" then
        for line in io.lines(os.getenv("CC_BENCH_IDS")) do ids[#ids + 1] = line end
    end
end

function request()
    counter = counter + 1
    if mode == "get" then
        local id = ids[(counter * 7 + tid) % #ids + 1]
        return wrk.format("GET", "/v1/instances/" .. id, {["Authorization"] = auth})
    end
    local name = "b" .. tid .. "-" .. counter
    local body = '{"name":"' .. name .. '","machine_type":"micro","zone":"' .. zones[counter % 4 + 1] .. '"}'
    return wrk.format("POST", "/v1/instances", {
        ["Authorization"] = auth,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = "bench-" .. tid .. "-" .. counter,
    }, body)
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d,'
        .. ' "non2xx": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
        e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def _report(name: str, n: int, elapsed: float, p50_ms: float, p99_ms: float, errors: int) -> bool:
    rate = n / elapsed
    ok = rate >= GOALS[name] and p99_ms < P99_GOAL_MS and errors == 0
    print(
        f"{name:7s} n={n:6d}  {rate:8.0f}/s  p50={p50_ms:6.1f} ms  p99={p99_ms:6.1f} ms  errors={errors}  "
        f"throughput ratio={rate / GOALS[name]:.2f}  p99 ratio={P99_GOAL_MS / p99_ms:.2f} "
        f"({'meets' if ok else 'misses'} the goal; ratios ≥ 1 meet it)",
        flush=True,
    )
    return ok


# --- wrk -------------------------------------------------------------------------------------------


def _have_wrk() -> bool:
    if shutil.which("wrk"):
        return True
    print("==> wrk is missing: running scripts/bench-tools.sh to install it", flush=True)
    result = subprocess.run(["bash", str(ROOT / "scripts" / "bench-tools.sh")], check=False)
    return result.returncode == 0 and shutil.which("wrk") is not None


def _wrk(url: str, key: str, mode: str, args: argparse.Namespace, tmp: Path, ids: Path | None) -> bool:
    script = tmp / "bench.lua"
    script.write_text(_LUA)
    env = {**os.environ, "CC_BENCH_MODE": mode, "CC_BENCH_KEY": key, "CC_BENCH_IDS": str(ids or "")}
    root = url.removesuffix("/v1")
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "5s"]
    out = subprocess.run(
        [*cmd, "-s", str(script), root],
        env=env,
        capture_output=True,
        text=True,
        timeout=args.duration + 30,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("WRK_RESULT "))
    r = json.loads(line.removeprefix("WRK_RESULT "))
    errors = r["non2xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    return _report(
        mode, r["requests"], r["duration_us"] / 1e6, r["p50_us"] / 1000, r["p99_us"] / 1000, errors
    )


def _ids(url: str, key: str, limit: int = 500) -> list[str]:
    r = httpx.get(f"{url}/instances", params={"page_size": limit}, headers={"Authorization": f"Bearer {key}"})
    r.raise_for_status()
    return [i["id"] for i in r.json()["items"]]


# --- httpx fallback (heavy: shares the CPU with the server) -----------------------------------------


async def _httpx_phase(url: str, key: str, mode: str, args: argparse.Namespace, ids: list[str]) -> bool:
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    headers = {"Authorization": f"Bearer {key}"}
    latencies: list[float] = []
    errors = 0
    counter = 0
    deadline = time.monotonic() + args.duration
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=5) as client:

        async def worker(w: int) -> None:
            nonlocal counter, errors
            while time.monotonic() < deadline:
                counter += 1
                n = counter
                start = time.perf_counter()
                try:
                    if mode == "get":
                        r = await client.get(f"/instances/{ids[n % len(ids)]}")
                    else:
                        body = {"name": f"h{w}-{n}", "machine_type": "micro", "zone": ZONES[n % 4]}
                        r = await client.post(
                            "/instances", json=body, headers={"Idempotency-Key": f"bench-h-{n}"}
                        )
                    latencies.append(time.perf_counter() - start)
                    errors += r.status_code >= 300
                except httpx.HTTPError:
                    errors += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(args.connections)))
        elapsed = time.perf_counter() - start
    lat_ms = sorted(x * 1000 for x in latencies)
    p99 = lat_ms[max(0, int(len(lat_ms) * 0.99) - 1)]
    return _report(mode, len(lat_ms), elapsed, statistics.median(lat_ms), p99, errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per phase (1..60)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (1..256)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra `cloud serve` flag=value")
    args = parser.parse_args()
    args.duration = min(max(args.duration, 1), 60)
    args.connections = min(max(args.connections, 1), 256)
    client = args.client
    if client in ("auto", "wrk") and not _have_wrk():
        if client == "wrk":
            sys.exit("wrk is not available (see scripts/bench-tools.sh)")
        print("==> no wrk: falling back to the Python httpx client (its own CPU use lowers the figures)")
        client = "httpx"
    elif client == "auto":
        client = "wrk"
    flags = dict(a.split("=", 1) for a in args.serve_arg)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        cloud = start_cloud(tmp / "bench.db", lifecycle="immediate", **flags)
        try:
            print(
                f"custom cloud at {cloud.url}; client={client}, {args.connections} connections, "
                f"{args.duration} s per phase; {os.cpu_count()} CPUs, load average before "
                f"{load[0]:.2f} (other processes share the CPUs)",
                flush=True,
            )
            results = []
            if client == "wrk":
                results.append(_wrk(cloud.url, cloud.api_key, "create", args, tmp, None))
                ids_file = tmp / "ids.txt"
                ids_file.write_text("\n".join(_ids(cloud.url, cloud.api_key)) + "\n")
                results.append(_wrk(cloud.url, cloud.api_key, "get", args, tmp, ids_file))
            else:
                results.append(asyncio.run(_httpx_phase(cloud.url, cloud.api_key, "create", args, [])))
                ids = _ids(cloud.url, cloud.api_key)
                results.append(asyncio.run(_httpx_phase(cloud.url, cloud.api_key, "get", args, ids)))
            print(f"load average after: {os.getloadavg()[0]:.2f}; goal {'met' if all(results) else 'missed'}")
        finally:
            stop_cloud(cloud.process)


if __name__ == "__main__":
    main()
