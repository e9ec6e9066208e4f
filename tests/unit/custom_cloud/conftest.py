"""Fixtures: the real emulator app in-process (no sockets) and configured providers that talk to it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pulumi
import pulumi.dynamic as dyn
import pytest

from provisioning.emulator.app import create_app
from provisioning.emulator.settings import Settings
from provisioning.providers.custom_cloud._provider import CustomCloudProvider

API_KEY = "cc-unit-test-key-5f1e"

SERVER_BASE: dict[str, Any] = {
    "name": "web-1",
    "machine_type": "small",
    "zone": "us-west-1a",
    "idempotency_scope": "p/s/Server/web-1",
}
"""The smallest valid Server inputs, as the engine passes them to the provider."""


def checked_server(provider: Any, **changes: Any) -> dict[str, Any]:
    """`SERVER_BASE` with `changes`, through the provider's check; fails on any check failure."""
    result = provider.check({}, {**SERVER_BASE, **changes})
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


ADMIN = "admin-unit-token"
API_URL = "http://testserver/v1"

with warnings.catch_warnings():  # starlette warns that its test client wants httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

P = TypeVar("P", bound=CustomCloudProvider)


@dataclass
class Cloud:
    """The in-process emulator: its transport, an admin client and a raw API client."""

    transport: httpx.BaseTransport
    admin: TestClient
    api: TestClient

    def provider(self, cls: type[P], **config: Any) -> P:
        provider = cls(transport=self.transport)
        raw = {"custom-cloud:apiKey": API_KEY, "custom-cloud:apiUrl": API_URL}
        raw.update(config)
        provider.configure(dyn.ConfigureRequest(dyn.Config(raw, "unit")))
        return provider

    def instances(self) -> list[dict[str, Any]]:
        return list(self.api.get("/v1/instances").json()["items"])


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[Cloud]:
    monkeypatch.setenv("PROVISIONING_LOG_DIR", str(tmp_path / "logs"))
    for var in ("CUSTOM_CLOUD_API_KEY", "CUSTOM_CLOUD_API_URL", "CUSTOM_CLOUD_REGION"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings(
        state_path=str(tmp_path / "cloud.sqlite"),
        bootstrap_project="unit",
        bootstrap_key=API_KEY,
        admin_token=ADMIN,
        lifecycle="immediate",
    )
    app = create_app(settings)
    with TestClient(app) as client:
        api = TestClient(app, headers={"Authorization": f"Bearer {API_KEY}"})
        admin = TestClient(app, headers={"Authorization": f"Bearer {ADMIN}"})
        yield Cloud(transport=client._transport, admin=admin, api=api)


class InputsMocks(pulumi.runtime.Mocks):
    """Pulumi mocks that keep each registered resource's inputs by name (its outputs echo them)."""

    def __init__(self) -> None:
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[args.name] = dict(args.inputs)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any] | None]:
        return {}, None


@pytest.fixture
def mocks() -> Iterator[InputsMocks]:
    """`InputsMocks` installed for one test (not a preview), the previous settings restored after."""
    saved = pulumi.runtime.settings.SETTINGS
    made = InputsMocks()
    pulumi.runtime.set_mocks(made, project="unit", stack="mocks", preview=False)
    try:
        yield made
    finally:
        pulumi.runtime.settings.configure(saved)
