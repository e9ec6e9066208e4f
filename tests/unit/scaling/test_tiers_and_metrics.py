"""Scalable tiers come from the cluster's declaration; CPU samples come from a Prometheus instant query."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import BaseModel, Field

from provisioning.sdk.scaling import InvalidTier, NoMetrics, app_cpu_percent, scalable_tiers


class _Tier(BaseModel):
    replicas: int = 1


class _Database(BaseModel):
    type: str = "postgresql"


class _Config(BaseModel):
    app_name: str
    web_tier: _Tier = Field(default_factory=_Tier)
    app_tier: _Tier = Field(default_factory=_Tier)
    database_tier: _Database = Field(default_factory=_Database)


def test_tiers_with_replicas_scale() -> None:
    assert scalable_tiers(_Config) == {"web": "web_tier", "app": "app_tier"}


def test_an_invalid_tier_names_the_valid_ones() -> None:
    assert str(InvalidTier("db", ["web", "app"])) == "Invalid tier: db. Valid options: web, app"


@pytest.fixture
def prometheus() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server answering /api/v1/query like Prometheus; records the queries it got."""
    queries: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            query = parse_qs(urlparse(self.path).query)["query"][0]
            queries.append(query)
            result: list[dict[str, Any]] = [
                {"metric": {"instance": "shop-app-0:8080", "job": "app"}, "value": [1.0, "81.5"]},
                {"metric": {"instance": "shop-app-1:8080", "job": "app"}, "value": [1.0, "60.5"]},
            ]
            body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": result}})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", queries
    finally:
        server.shutdown()
        server.server_close()


def test_cpu_per_app_process(prometheus: tuple[str, list[str]]) -> None:
    url, queries = prometheus
    assert app_cpu_percent(url, window="30s") == {"shop-app-0:8080": 81.5, "shop-app-1:8080": 60.5}
    assert queries == ['rate(process_cpu_seconds_total{job="app"}[30s]) * 100']


def test_no_prometheus_is_named() -> None:
    with pytest.raises(NoMetrics, match="Prometheus at http://127.0.0.1:9 did not answer"):
        app_cpu_percent("http://127.0.0.1:9", timeout=2)
