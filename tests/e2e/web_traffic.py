"""Traffic through a web stack's load balancer while a change is applied: a few threads sending `GET
/version`, each request counted with its latency, bounded in count and in time. Used by the day-two e2e
test and by `bench/web_stack_changes.py`; it only ever sends to the address it is given (the load
balancer of a stack the caller's run created)."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

__all__ = ["Traffic", "TrafficResult"]


@dataclass(frozen=True)
class TrafficResult:
    """What one change saw."""

    requests: int
    """Requests sent (answered or not)."""
    failures: Counter[str]
    """Failed requests by kind: `HTTP 502`, `ConnectError`, …"""
    latencies: tuple[float, ...] = field(repr=False)
    """Seconds of every request that got an answer."""
    wall: float
    """Seconds the change took (the `up` alone)."""

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def percentile(self, q: float) -> float:
        """The `q` quantile (0..1) of the latencies, in milliseconds (0 without any)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self, change: str) -> str:
        """One line: change, requests, failures (by kind), p50 and p99 latency, wall time."""
        kinds = ", ".join(f"{n} x {kind}" for kind, n in self.failures.most_common()) or "-"
        return (
            f"{change:<44} {self.requests:>7} {self.failed:>6} ({kinds})"
            f" p50 {self.percentile(0.5):6.1f} ms  p99 {self.percentile(0.99):7.1f} ms"
            f"  wall {self.wall:6.1f} s"
        )

    def summary(self) -> str:
        mean = statistics.fmean(self.latencies) * 1000 if self.latencies else 0.0
        return f"{self.requests} requests, {self.failed} failed {dict(self.failures)}, mean {mean:.1f} ms"


class Traffic:
    """`with Traffic(url) as traffic: change(); result = traffic.result(wall)`: `threads` loops of `GET
    url/version` (a pause of `pause` s after each) from entering until `result` has at least `minimum`
    requests, at most `maximum` requests and `seconds` seconds in all."""

    def __init__(
        self,
        url: str,
        *,
        threads: int = 4,
        pause: float = 0.005,
        minimum: int = 2000,
        maximum: int = 60000,
        seconds: float = 900,
    ) -> None:
        self.url = url.rstrip("/") + "/version"
        self.threads, self.pause = threads, pause
        self.minimum, self.maximum, self.seconds = minimum, maximum, seconds
        self._lock = threading.Lock()
        self._requests = 0
        self._failures: Counter[str] = Counter()
        self._latencies: list[float] = []
        self._stop = threading.Event()
        self._workers = [threading.Thread(target=self._loop, daemon=True) for _ in range(threads)]
        self._deadline = 0.0

    def _loop(self) -> None:
        # one connection per thread, kept alive as a browser's would be; a failed one is made again
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                with self._lock:
                    if self._requests >= self.maximum:
                        return
                    self._requests += 1
                started = time.monotonic()
                try:
                    answer = client.get(self.url)
                    failure = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
                except httpx.HTTPError as exc:
                    failure = type(exc).__name__
                with self._lock:
                    if failure is None:
                        self._latencies.append(time.monotonic() - started)
                    else:
                        self._failures[failure] += 1
                time.sleep(self.pause)

    def __enter__(self) -> Traffic:
        self._deadline = time.monotonic() + self.seconds
        for worker in self._workers:
            worker.start()
        return self

    def result(self, wall: float) -> TrafficResult:
        """Keep sending until `minimum` requests (within the bounds), stop, and count."""
        while time.monotonic() < self._deadline and self.count() < min(self.minimum, self.maximum):
            if not any(worker.is_alive() for worker in self._workers):
                break
            time.sleep(0.1)
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)
        with self._lock:
            return TrafficResult(self._requests, Counter(self._failures), tuple(self._latencies), wall)

    def count(self) -> int:
        with self._lock:
            return self._requests

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)
