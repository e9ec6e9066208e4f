"""Fixtures: an in-process app (httpx over ASGI, no sockets) and a real server process on 127.0.0.1."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest

from provisioning.emulator import Settings, create_app
from tests.support.cloud import CloudHandle, running_cloud

API_KEY = "test-key-" + "x" * 24
ADMIN = "test-admin-" + "y" * 24


class AsgiClient:
    """A synchronous facade over `httpx.AsyncClient(ASGITransport(app))` running on a portal loop."""

    def __init__(self, app: Any, portal: Any, *, key: str | None = API_KEY) -> None:
        self.app = app
        self._portal = portal
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://cc", headers=headers
        )

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """One request through the app."""
        return self._portal.call(functools.partial(self._client.request, method, url, **kw))

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def patch(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PATCH", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", url, **kw)

    def delete(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", url, **kw)

    def admin(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """A request with the admin token instead of the API key."""
        return self.request(method, url, headers={"Authorization": f"Bearer {ADMIN}"}, **kw)


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Any]:
    """Factory of in-process clients over a fresh state file; `make_client(**settings)`."""
    with anyio.from_thread.start_blocking_portal() as portal:
        made: list[AsgiClient] = []

        def make(**overrides: Any) -> AsgiClient:
            settings = Settings(
                state_path=str(tmp_path / f"state-{len(made)}.db"),
                bootstrap_project="test",
                bootstrap_key=API_KEY,
                admin_token=ADMIN,
                lifecycle=overrides.pop("lifecycle", "immediate"),
                **overrides,
            )
            client = AsgiClient(create_app(settings), portal)
            made.append(client)
            return client

        yield make
        for client in made:
            portal.call(client._client.aclose)
            client.app.state.store.close()


@pytest.fixture
def client(make_client: Any) -> AsgiClient:
    """An in-process client (immediate lifecycle)."""
    c: AsgiClient = make_client()
    return c


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudHandle]:
    """One real server process for the contract tests (immediate lifecycle)."""
    with running_cloud(tmp_path_factory.mktemp("cloud")) as handle:
        yield handle


def instance_body(name: str, **extra: Any) -> dict[str, Any]:
    """A minimal valid InstanceCreate body."""
    return {"name": name, "machine_type": "small", "zone": "us-west-1a", **extra}
