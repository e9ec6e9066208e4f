"""Every limit the API's OpenAPI document states for a create body fails the provider's `check` (what
`pulumi preview` runs), naming the field, before any request is sent."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pulumi.dynamic as dyn
import pytest

from provisioning.emulator.app import create_app
from provisioning.emulator.settings import Settings
from provisioning.providers.custom_cloud.resource_provider import (
    ApiResourceProvider,
    LoadBalancerProvider,
    NetworkProvider,
    SubnetProvider,
    VolumeProvider,
)
from provisioning.providers.custom_cloud.server import ServerProvider

VALID: dict[type[ApiResourceProvider], dict[str, Any]] = {
    ServerProvider: {"name": "web-1", "machine_type": "small", "zone": "us-west-1a"},
    NetworkProvider: {"name": "net", "cidr": "10.0.0.0/16"},
    SubnetProvider: {"name": "sub", "network_id": "net-1", "cidr": "10.0.1.0/24", "zone": "us-west-1a"},
    LoadBalancerProvider: {
        "name": "lb",
        "region": "us-west-1",
        "listeners": [{"port": 80, "target_port": 8080}],
    },
    VolumeProvider: {"name": "vol", "zone": "us-west-1a", "size": 10},
}
"""The smallest valid inputs of each resource."""


def _openapi(tmp_path: Any) -> dict[str, Any]:
    app = create_app(Settings(state_path=str(tmp_path / "c.db"), bootstrap_project="p", bootstrap_key="k"))
    return app.openapi()


def _no_requests(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"check sent {request.method} {request.url}: it must decide without the API")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    variants = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return _resolve(spec, variants[0]) if len(variants) == 1 else schema


def violating_values(spec: dict[str, Any], schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(limit, value) for each limit the schema states, with a value that breaks it."""
    schema = _resolve(spec, schema)
    if "maxLength" in schema:
        yield "maxLength", "a" * (schema["maxLength"] + 1)
    if schema.get("minLength", 0) > 0:
        yield "minLength", ""
    if "pattern" in schema:
        yield "pattern", "Not A Match!"
    if "enum" in schema:
        yield "enum", "not-in-the-catalog"
    if "maximum" in schema:
        yield "maximum", schema["maximum"] + 1
    if "minimum" in schema:
        yield "minimum", schema["minimum"] - 1
    if "maxProperties" in schema:
        yield "maxProperties", {f"k{i}": "v" for i in range(schema["maxProperties"] + 1)}
    props = schema.get("propertyNames") or {}
    if "maxLength" in props:
        yield "propertyNames.maxLength", {"k" * (props["maxLength"] + 1): "v"}
    values = schema.get("additionalProperties")
    if isinstance(values, dict) and "maxLength" in values:
        yield "additionalProperties.maxLength", {"k": "v" * (values["maxLength"] + 1)}
    if "maxItems" in schema:
        item = _resolve(spec, schema["items"])
        sample = {"port": 80, "target_port": 80} if item.get("type") == "object" else "i-1"
        yield "maxItems", [sample] * (schema["maxItems"] + 1)
    if schema.get("minItems", 0) > 0:
        yield "minItems", []


def _openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        return _openapi(Path(folder))


SPEC = _openapi_document()
"""The local Custom Cloud's OpenAPI document, as the service serves it."""

CASES = [
    pytest.param(provider, field, value, id=f"{provider.__name__}-{field}-{limit}")
    for provider in VALID
    for field, schema in SPEC["components"]["schemas"][provider.collection.create.__name__][
        "properties"
    ].items()
    for limit, value in violating_values(SPEC, schema)
]


@pytest.mark.parametrize(("provider_type", "field", "value"), CASES)
def test_every_api_limit_fails_check_naming_the_field(
    provider_type: type[ApiResourceProvider], field: str, value: Any
) -> None:
    provider = provider_type(transport=httpx.MockTransport(_no_requests))
    raw = {"custom-cloud:apiKey": "k", "custom-cloud:apiUrl": "http://127.0.0.1:9/v1"}
    provider.configure(dyn.ConfigureRequest(dyn.Config(raw, "unit")))
    result = provider.check({}, {**VALID[provider_type], field: value})
    named = [f for f in result.failures if re.match(rf"{field}(\.|$)", f.property)]
    assert named, f"{field}={value!r:.60} passed check: {[(f.property, f.reason) for f in result.failures]}"


def test_the_limits_are_many() -> None:
    """The OpenAPI walk above really finds the API's limits (a broken walk would test nothing)."""
    found = {case.id for case in CASES}
    for expected in (
        "ServerProvider-disk_size-minimum",
        "ServerProvider-disk_size-maximum",
        "ServerProvider-labels-maxProperties",
        "ServerProvider-labels-propertyNames.maxLength",
        "ServerProvider-labels-additionalProperties.maxLength",
        "ServerProvider-ssh_public_key-maxLength",
        "ServerProvider-user_data-maxLength",
        "ServerProvider-machine_type-enum",
        "LoadBalancerProvider-listeners-maxItems",
        "VolumeProvider-size-maximum",
    ):
        assert expected in found, expected
    assert len(found) >= 40, len(found)
