"""Sandbox hosts: time from create request to SSH-ready, and memory of 30 sandboxes up at once.

Runs a real emulator (`--hosts sandbox`, lifecycle immediate) on a temporary state folder, creates
instances one by one (each timed from the POST until sshd answers with its banner on the SSH endpoint),
then keeps 30 up at once and sums the resident memory (PSS where available) of every process of theirs.
Goals: median ≤ 1 s, 30 sandboxes within 4 GiB. Deletes everything and stops the emulator at the end.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.cloud import start_cloud, stop_cloud  # noqa: E402

COUNT = 30


def ssh_ready(host: str, port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5) as sock:
                if sock.recv(4).startswith(b"SSH-"):
                    return
        except OSError:
            time.sleep(0.005)
    raise TimeoutError(f"{host}:{port} not SSH-ready")


def sandbox_memory_kib(state_dir: Path) -> int:
    """PSS (else RSS) of every process whose root is inside `state_dir`, plus their `unshare` parents."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            root = os.readlink(proc / "root")
            cmd = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if str(state_dir) not in root and not (
            cmd.startswith(b"unshare\0") and str(state_dir).encode() in cmd
        ):
            continue
        try:
            rollup = (proc / "smaps_rollup").read_text()
            key = "Pss:"
        except OSError:
            rollup, key = (proc / "status").read_text(), "VmRSS:"
        for line in rollup.splitlines():
            if line.startswith(key):
                total += int(line.split()[1])
                break
    return total


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp:
        state_dir = Path(tmp)
        cloud = start_cloud(state_dir / "cloud.db", hosts="sandbox", lifecycle="immediate")
        api = httpx.Client(
            base_url=cloud.url, headers={"Authorization": f"Bearer {cloud.api_key}"}, timeout=120
        )
        ids: list[str] = []
        try:
            times = []
            for i in range(COUNT):
                t0 = time.perf_counter()
                body = {"name": f"bench-{i}", "machine_type": "micro", "zone": "us-west-1a"}
                doc = api.post("/instances", json=body).raise_for_status().json()
                ids.append(doc["id"])
                ssh_ready(doc["ssh_host"], doc["ssh_port"], time.monotonic() + 30)
                times.append(time.perf_counter() - t0)
            kib = sandbox_memory_kib(state_dir)
            med = statistics.median(times)
            p90 = sorted(times)[int(0.9 * COUNT) - 1]
            print(f"create → SSH-ready over {COUNT} sandboxes: median {med:.3f} s, "
                  f"p90 {p90:.3f} s, max {max(times):.3f} s (goal ≤ 1 s)")  # fmt: skip
            print(f"{COUNT} sandboxes up at once: {kib / 1024:.0f} MiB total (PSS), "
                  f"{kib / 1024 / COUNT:.1f} MiB per sandbox (goal: {COUNT} within 4096 MiB)")  # fmt: skip
            t0 = time.perf_counter()
            for iid in ids:
                api.delete(f"/instances/{iid}").raise_for_status()
            print(f"delete {COUNT}: {time.perf_counter() - t0:.2f} s")
            ids.clear()
            ok = med <= 1.0 and kib <= 4 * 1024 * 1024
        finally:
            for iid in ids:
                api.delete(f"/instances/{iid}")
            api.close()
            stop_cloud(cloud.process)
    print("goals met" if ok else "goals NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
