"""The resilient client on `httpx.MockTransport`: retries, Retry-After, idempotency keys, errors."""

from __future__ import annotations

import ssl
from collections.abc import Callable

import httpx
import pytest

from provisioning.sdk import ApiClient, NotFound, RateLimited, RetryPolicy, TransportError, ValidationFailed
from provisioning.sdk.backoff import Backoff

KEY = "sekret-api-key-123"


def make(
    handler: Callable[[httpx.Request], httpx.Response], slept: list[float], attempts: int = 5
) -> ApiClient:
    return ApiClient(
        base_url="http://127.0.0.1:9/v1",
        api_key=KEY,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=attempts, backoff=Backoff(initial=0.1, cap=0.4)),
        sleep=slept.append,
    )


def error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": message, "details": {}}}, headers=headers
    )


def test_retries_5xx_then_succeeds_with_the_same_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            return error(503, "injected_fault", "boom")
        return httpx.Response(202, json={"id": "i-1"})

    slept: list[float] = []
    assert make(handler, slept).post_json("/instances", {"name": "a"}) == {"id": "i-1"}
    keys = {r.headers["Idempotency-Key"] for r in seen}
    assert len(seen) == 3 and len(keys) == 1
    assert seen[0].headers["Authorization"] == f"Bearer {KEY}"
    assert len(slept) == 2 and all(0 < d <= 0.4 for d in slept)


def test_idempotency_key_is_deterministic_and_body_sensitive() -> None:
    keys: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        return httpx.Response(202, json={})

    client = make(handler, [])
    client.post_json("/instances", {"name": "a"})
    client.post_json("/instances", {"name": "a"})
    client.post_json("/instances", {"name": "b"})
    client.post_json("/instances", {"name": "b"}, idempotency_key="explicit")
    assert keys[0] == keys[1] != keys[2] and keys[3] == "explicit"


def test_429_honours_retry_after() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return (
            error(429, "rate_limited", "slow down", **{"Retry-After": "2"})
            if len(calls) == 1
            else httpx.Response(200, json={"ok": True})
        )

    slept: list[float] = []
    assert make(handler, slept).get_json("/regions") == {"ok": True}
    assert slept == [2.0]


def test_persistent_429_surfaces_rate_limited() -> None:
    slept: list[float] = []
    with pytest.raises(RateLimited) as info:
        make(
            lambda r: error(429, "rate_limited", "slow", **{"Retry-After": "1"}), slept, attempts=3
        ).get_json("/x")
    assert info.value.retry_after == 1.0 and len(slept) == 2


def test_connect_errors_are_retried_then_raise_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    slept: list[float] = []
    with pytest.raises(TransportError) as info:
        make(handler, slept, attempts=4).get_json("/instances")
    assert info.value.method == "GET" and info.value.path == "/instances" and len(slept) == 3
    assert KEY not in str(info.value)


def test_4xx_is_not_retried_and_names_method_path_status_message_but_never_the_key() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(
            422,
            json={"error": {"code": "validation_failed", "message": "disk_size must be at least 10",
                            "details": {"field": "disk_size", "value": 5, "rule": "ge 10"}}},
        )  # fmt: skip

    with pytest.raises(ValidationFailed) as info:
        make(handler, []).post_json("/instances", {"disk_size": 5})
    text = str(info.value)
    assert calls == [1]
    assert (
        "POST" in text and "/instances" in text and "422" in text and "disk_size must be at least 10" in text
    )
    assert info.value.field == "disk_size" and KEY not in text and KEY not in repr(info.value.details)


def test_404_maps_to_not_found() -> None:
    with pytest.raises(NotFound):
        make(lambda r: error(404, "not_found", "no such instance"), []).get_json("/instances/i-x")


def test_shared_transport_pools_per_thread_with_one_ssl_context() -> None:
    import threading

    from provisioning.sdk.api_client import shared_transport

    transport = shared_transport(7.5)
    assert shared_transport(7.5) is transport
    mine = transport._inner("https")  # type: ignore[attr-defined]
    assert transport._inner("https") is mine  # type: ignore[attr-defined]
    other: list[httpx.HTTPTransport] = []
    thread = threading.Thread(target=lambda: other.append(transport._inner("https")))  # type: ignore[attr-defined]
    thread.start()
    thread.join()
    assert other and other[0] is not mine  # no pool shared across threads (httpcore scans every connection)
    pools = [mine._pool, other[0]._pool]
    assert pools[0]._ssl_context is pools[1]._ssl_context  # one CA bundle load per process
    transport.close()
    assert transport._inner("https") is mine  # type: ignore[attr-defined]  # a client's close leaves it open


def test_plain_http_loads_no_ca_bundle() -> None:
    from provisioning.sdk.api_client import shared_transport

    transport = shared_transport(7.25)
    plain = transport._inner("http")  # type: ignore[attr-defined]
    assert transport._ssl is None  # type: ignore[attr-defined]  # no TLS on http://, so no CA bundle loaded
    secure = transport._inner("https")  # type: ignore[attr-defined]
    assert secure is not plain and secure._pool._ssl_context is transport._ssl  # type: ignore[attr-defined]
    assert secure._pool._ssl_context.verify_mode == ssl.CERT_REQUIRED
