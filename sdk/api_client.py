"""Resilient JSON-over-HTTP client base: timeouts, jittered retries, idempotency keys, one error mapping."""

from __future__ import annotations

import hashlib
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import httpx

from .backoff import Backoff
from .errors import ApiError, RateLimited, TransportError, api_error_for_status

__all__ = ["ApiClient", "RetryPolicy", "idempotency_key", "shared_transport"]

_log = logging.getLogger("provisioning.http")


def idempotency_key(*parts: Any) -> str:
    """A deterministic key from `parts` (e.g. the resource URN and its inputs): same parts, same key."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:48]


_default_key = idempotency_key


class _Shared(httpx.BaseTransport):
    """A process-wide transport that a client's `close()` leaves open: one small keep-alive pool per thread.

    httpcore's pool scans every pooled connection on each request (and polls each one's socket), so one
    pool shared by 100 threads costs O(connections) syscalls per request: measured, 100 concurrent creates
    with their polls spent ≈ 2.2 s of CPU, mostly there. A thread only ever has one request in flight, so
    a per-thread pool keeps one warm connection and no scan. The HTTPS pools share one SSL context, made
    at the first `https://` request: loading the CA bundle costs ≈ 50 ms, which a provider talking plain
    HTTP to a local API would pay at every start for nothing."""

    def __init__(self, connect_timeout: float) -> None:
        self.connect_timeout = connect_timeout
        self._local = threading.local()
        self._ssl: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def _tls(self) -> ssl.SSLContext:
        with self._lock:
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()
            return self._ssl

    def _inner(self, scheme: str) -> httpx.HTTPTransport:
        pools: dict[str, httpx.HTTPTransport] = self._local.__dict__.setdefault("pools", {})
        inner = pools.get(scheme)
        if inner is None:
            limits = httpx.Limits(max_connections=8, max_keepalive_connections=2, keepalive_expiry=30.0)
            # `verify=False` on a plain-HTTP pool: it never negotiates TLS, so there is nothing to verify
            verify: ssl.SSLContext | bool = self._tls() if scheme == "https" else False
            inner = pools[scheme] = httpx.HTTPTransport(verify=verify, limits=limits)
        return inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner(request.url.scheme).handle_request(request)

    def close(self) -> None:
        """Clients come and go; the pools live as long as the process (or their thread)."""


_shared_lock = threading.Lock()
_shared: dict[float, _Shared] = {}


def shared_transport(connect_timeout: float = 10.0) -> httpx.BaseTransport:
    """One HTTP(S) transport per process (and connect timeout), pooling connections per thread.

    Building an `httpx.Client` loads the CA bundle into a new SSL context (≈ 20 ms of CPU); a provider that
    builds a client per call (providers capture no client, pulumi#12401) would spend that on every create
    and poll under the GIL. Clients built on this transport share one SSL context and keep-alive pools."""
    with _shared_lock:
        found = _shared.get(connect_timeout)
        if found is None:
            found = _shared[connect_timeout] = _Shared(connect_timeout)
        return found


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to retry: connect errors, timeouts, 429 and 5xx."""

    attempts: int = 8
    """Most attempts per request (the first one included)."""
    backoff: Backoff = field(default_factory=lambda: Backoff(initial=0.2, factor=2.0, cap=5.0, jitter=0.5))
    """Delays between attempts."""
    max_retry_after: float = 30.0
    """Largest `Retry-After` honoured, in seconds."""
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    """Statuses that are retried."""


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None


def _error_from(method: str, path: str, response: httpx.Response) -> ApiError:
    code, message = "", response.reason_phrase
    details: dict[str, Any] = {}
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        err = body["error"]
        code = str(err.get("code", ""))
        message = str(err.get("message", message))
        details = err.get("details") if isinstance(err.get("details"), dict) else {}
    cls = api_error_for_status(response.status_code, code)
    kwargs: dict[str, Any] = dict(
        method=method, path=path, status=response.status_code, code=code, message=message, details=details
    )
    if cls is RateLimited:
        return RateLimited(retry_after=_retry_after(response), **kwargs)
    return cls(**kwargs)


class ApiClient:
    """A bearer-token JSON API client; subclasses add one method per API operation.

    >>> client = ApiClient(base_url="http://127.0.0.1:8080/v1", api_key="k")  # doctest: +SKIP
    >>> client.request("GET", "/regions")  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "provisioning",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": user_agent},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport if transport is not None else shared_transport(min(timeout, 10.0)),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send one request, retrying transient failures; raise an `ApiError` subclass or `TransportError`.

        Every POST carries an `Idempotency-Key` (the given one, else one derived from path and body), so a
        retried POST is answered with the first response and never makes a second resource."""
        method = method.upper()
        headers: dict[str, str] = {}
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or _default_key(path, json_body)
        last_error: Exception | None = None
        for attempt in range(self._retry.attempts):
            started = time.monotonic()
            try:
                response = self._http.request(
                    method,
                    path,
                    json=dict(json_body) if json_body is not None else None,
                    params=params,
                    headers=headers,
                )
            except httpx.TransportError as exc:
                last_error = TransportError(
                    method=method, path=path, reason=type(exc).__name__ + ": " + str(exc)
                )
                _log.info(
                    "%s %s transport error (attempt %d): %s", method, path, attempt + 1, last_error.reason
                )
                self._pause(attempt, None)
                continue
            _log.debug("%s %s -> %d in %.3fs", method, path, response.status_code, time.monotonic() - started)
            if response.is_success:
                return response
            error = _error_from(method, path, response)
            if response.status_code not in self._retry.retry_statuses:
                raise error
            last_error = error
            _log.info("%s %s -> %d (attempt %d), retrying", method, path, response.status_code, attempt + 1)
            self._pause(attempt, error.retry_after if isinstance(error, RateLimited) else None)
        assert last_error is not None
        raise last_error

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        if attempt + 1 >= self._retry.attempts:
            return
        delay = self._retry.backoff.delay(attempt)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self._retry.max_retry_after))
        self._sleep(delay)

    def get_json(self, path: str, *, params: Mapping[str, Any] | list[tuple[str, Any]] | None = None) -> Any:
        """GET `path` and decode the JSON body."""
        return self.request("GET", path, params=params).json()

    def post_json(self, path: str, body: Mapping[str, Any], *, idempotency_key: str | None = None) -> Any:
        """POST `body` to `path` (with an Idempotency-Key) and decode the JSON answer."""
        return self.request("POST", path, json_body=body, idempotency_key=idempotency_key).json()

    def patch_json(self, path: str, body: Mapping[str, Any]) -> Any:
        """PATCH `path` with `body` and decode the JSON answer."""
        return self.request("PATCH", path, json_body=body).json()

    def delete(self, path: str, *, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """DELETE `path`."""
        return self.request("DELETE", path, params=params)
