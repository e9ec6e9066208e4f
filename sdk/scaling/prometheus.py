"""The app tier's CPU from Prometheus: each app process's own CPU (machine hosts share the kernel's
machine-wide counters, so node CPU would measure the whole machine)."""

from __future__ import annotations

import httpx

from .errors import NoMetrics

__all__ = ["CPU_QUERY", "app_cpu_percent"]

CPU_QUERY = 'rate(process_cpu_seconds_total{{job="{job}"}}[{window}]) * 100'
"""Percent of one CPU each process of `job` used over `window`."""


def app_cpu_percent(
    prometheus_url: str, *, job: str = "app", window: str = "1m", timeout: float = 10.0
) -> dict[str, float]:
    """Instance (`host:port`) -> CPU percent of the app process there, from an instant query."""
    query = CPU_QUERY.format(job=job, window=window)
    url = prometheus_url.rstrip("/") + "/api/v1/query"
    try:
        answer = httpx.get(url, params={"query": query}, timeout=timeout)
        answer.raise_for_status()
        body = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise NoMetrics(f"Prometheus at {prometheus_url} did not answer the CPU query: {exc}") from exc
    if body.get("status") != "success":
        raise NoMetrics(f"Prometheus at {prometheus_url} refused {query!r}: {body.get('error', body)}")
    return {
        str(item["metric"].get("instance", "?")): float(item["value"][1]) for item in body["data"]["result"]
    }
