"""Prometheus text exposition, by hand: request counts, a latency histogram, resource gauges."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["BUCKETS", "Metrics", "MetricsMiddleware"]

BUCKETS: tuple[float, ...] = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
"""Upper bounds (seconds) of the latency histogram."""


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """Counters and histograms, safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self._buckets: dict[tuple[str, str], list[int]] = {}
        self._sums: dict[tuple[str, str], float] = defaultdict(float)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        """Count one request and its latency."""
        with self._lock:
            self._requests[(route, method, status)] += 1
            counts = self._buckets.setdefault((route, method), [0] * (len(BUCKETS) + 1))
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
                    break
            else:
                counts[-1] += 1
            self._sums[(route, method)] += seconds

    def render(self, gauges: Iterable[tuple[str, str, int]]) -> str:
        """The text format (version 0.0.4)."""
        out = [
            "# HELP custom_cloud_requests_total HTTP requests by route, method and status.",
            "# TYPE custom_cloud_requests_total counter",
        ]
        with self._lock:
            for (route, method, status), n in sorted(self._requests.items()):
                out.append(
                    f'custom_cloud_requests_total{{route="{_esc(route)}",method="{method}",'
                    f'status="{status}"}} {n}'
                )
            out += [
                "# HELP custom_cloud_request_duration_seconds Request latency.",
                "# TYPE custom_cloud_request_duration_seconds histogram",
            ]
            for (route, method), counts in sorted(self._buckets.items()):
                labels = f'route="{_esc(route)}",method="{method}"'
                total = 0
                for bound, n in zip((*BUCKETS, float("inf")), counts, strict=True):
                    total += n
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    out.append(f'custom_cloud_request_duration_seconds_bucket{{{labels},le="{le}"}} {total}')
                out.append(
                    f"custom_cloud_request_duration_seconds_sum{{{labels}}} {self._sums[(route, method)]}"
                )
                out.append(f"custom_cloud_request_duration_seconds_count{{{labels}}} {total}")
        out += [
            "# HELP custom_cloud_resources Resources by kind and status.",
            "# TYPE custom_cloud_resources gauge",
        ]
        for kind, state, n in gauges:
            out.append(f'custom_cloud_resources{{kind="{kind}",status="{state}"}} {n}')
        return "\n".join(out) + "\n"


class MetricsMiddleware:
    """Pure ASGI middleware timing every HTTP request, labelled by route template (not raw path)."""

    def __init__(self, app: Callable[..., Any], metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(path, scope["method"], status, time.perf_counter() - start)
