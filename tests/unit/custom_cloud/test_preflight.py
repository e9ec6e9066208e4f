"""The provider configuration checked at preview: URL shape, then one probe that tells a wrong key, a wrong
path, an unresolvable host and a refused port apart, naming the config key and the URL."""

from __future__ import annotations

import socket
import time

import httpx
import pulumi.dynamic as dyn
import pytest

from provisioning.providers.custom_cloud.config import load_config
from provisioning.providers.custom_cloud.preflight import preflight
from provisioning.providers.custom_cloud.server import ServerProvider

from .conftest import API_KEY, API_URL, SERVER_BASE, Cloud

KEY = "cc-preflight-secret-7a1d"


def _config(url: str = "http://127.0.0.1:8787/v1", key: str = KEY) -> object:
    return load_config({"custom-cloud:apiUrl": url, "custom-cloud:apiKey": key}, environ={})


def _raising(message: str) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(message, request=request)

    return httpx.MockTransport(handler)


def _answering(status: int) -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda request: httpx.Response(status, json={"error": {"code": "x", "message": "x"}})
    )


@pytest.mark.parametrize(
    ("transport", "key", "words"),
    [
        (_answering(401), "custom-cloud:apiKey", "refused the key (401 unauthenticated)"),
        (_answering(404), "custom-cloud:apiUrl", "/regions answered 404: the URL must be the API's base"),
        (_raising("[Errno -2] Name or service not known"), "custom-cloud:apiUrl", "does not resolve"),
        (_raising("[Errno 111] Connection refused"), "custom-cloud:apiUrl", "nothing listens at"),
    ],
)
def test_probe_names_the_config_key_and_the_url(transport: httpx.MockTransport, key: str, words: str) -> None:
    problem = preflight(_config(), transport=transport)  # type: ignore[arg-type]
    assert problem is not None and problem.field == key and words in problem.rule
    assert "http://127.0.0.1:8787/v1" in problem.rule and KEY not in str(problem)


@pytest.mark.parametrize("status", [200, 429, 503])
def test_probe_passes_a_working_or_transiently_failing_api(status: int) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json={"items": []}))
    assert preflight(_config(), transport=transport) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8787", "127.0.0.1:8787/v1", "ftp://127.0.0.1/v1", "http:///v1", "http://h/v2"]
)
def test_url_shape_is_checked_naming_the_key(url: str) -> None:
    with pytest.raises(Exception) as info:
        _config(url)
    assert info.value.field == "custom-cloud:apiUrl" and "must be http(s)://HOST[:PORT]/v1" in info.value.rule  # type: ignore[attr-defined]


def test_a_refused_port_fails_check_fast_on_a_real_socket() -> None:
    with socket.socket() as probe:  # a port on loopback that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    provider = ServerProvider()
    raw = {"custom-cloud:apiKey": KEY, "custom-cloud:apiUrl": f"http://127.0.0.1:{port}/v1"}
    provider.configure(dyn.ConfigureRequest(dyn.Config(raw, "unit")))
    started = time.monotonic()
    [failure] = provider.check({}, dict(SERVER_BASE)).failures
    elapsed = time.monotonic() - started
    assert failure.reason.startswith(f"custom-cloud:apiUrl: nothing listens at http://127.0.0.1:{port}/v1")
    assert elapsed < 5, elapsed  # a generous bound: a refused connect is not retried


def test_wrong_key_fails_check_against_the_real_service(cloud: Cloud) -> None:
    provider = cloud.provider(ServerProvider, **{"custom-cloud:apiKey": "not-the-key"})
    [failure] = provider.check({}, dict(SERVER_BASE)).failures
    assert failure.reason.startswith(
        f"custom-cloud:apiKey: the API at {API_URL} refused the key (401 unauthenticated)"
    )
    assert cloud.provider(ServerProvider).check({}, dict(SERVER_BASE)).failures == []
    assert API_KEY not in failure.reason


def test_bad_inputs_are_reported_without_any_request() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"sent {request.method} {request.url}")

    provider = ServerProvider(transport=httpx.MockTransport(refuse))
    provider.configure(
        dyn.ConfigureRequest(
            dyn.Config({"custom-cloud:apiKey": KEY, "custom-cloud:apiUrl": "http://127.0.0.1:9/v1"}, "u")
        )
    )
    failures = provider.check({}, {**SERVER_BASE, "disk_size": 5}).failures
    assert [f.property for f in failures] == ["disk_size"]


def test_server_against_its_subnet_zone_network_and_existence(cloud: Cloud) -> None:
    net = cloud.api.post("/v1/networks", json={"name": "n1", "cidr": "10.70.0.0/16"}).json()
    other = cloud.api.post("/v1/networks", json={"name": "n2", "cidr": "10.71.0.0/16"}).json()
    body = {"name": "s1", "network_id": net["id"], "cidr": "10.70.1.0/24", "zone": "us-west-1b"}
    subnet = cloud.api.post("/v1/subnets", json=body).json()
    provider = cloud.provider(ServerProvider)

    def failures(**changes: object) -> dict[str, str]:
        return {f.property: f.reason for f in provider.check({}, {**SERVER_BASE, **changes}).failures}

    assert failures(subnet=subnet["id"], zone="us-west-1b", vpc=net["id"]) == {}
    assert "differs from the zone of subnet" in failures(subnet=subnet["id"])["zone"]
    assert (
        "is not the network of subnet"
        in failures(subnet=subnet["id"], zone="us-west-1b", vpc=other["id"])["vpc"]
    )
    assert failures(subnet="subnet-nope") == {"subnet": "subnet 'subnet-nope' does not exist"}
