"""The provider configuration checked at preview: one cheap authenticated call (`GET /v1/regions`) tells a
wrong key, a wrong path, a host that does not resolve and a port nobody listens on apart, each in words
that name the config key and the URL. Made once per provider process (one `pulumi preview` or `up`)."""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING

from provisioning.sdk.errors import ApiError, ConfigError, NotFound, TransportError, Unauthenticated

if TYPE_CHECKING:  # the HTTP client is imported when a probe runs (in the provider host, never a program)
    import httpx
from .config import DEFAULT_API_URL, CustomCloudConfig

__all__ = ["PROBE_TIMEOUT", "preflight"]

PROBE_TIMEOUT = 2.0
"""Seconds the probe waits for an answer (a refused or unresolvable host fails at once)."""

_PROBE_PATH = "/regions"
_lock = threading.Lock()
_done: dict[tuple[str, str], ConfigError | None] = {}

_UNRESOLVED = ("Name or service not known", "nodename nor servname", "No address associated", "getaddrinfo")
_REFUSED = ("Connection refused", "Errno 111")


def _cache_key(config: CustomCloudConfig) -> tuple[str, str]:
    digest = hashlib.sha256(config.api_key.get_secret_value().encode()).hexdigest()
    return config.api_url, digest


def preflight(
    config: CustomCloudConfig, *, transport: httpx.BaseTransport | None = None
) -> ConfigError | None:
    """What is wrong with `config` as the API sees it, or None. Transient answers (5xx, 429) are not
    held against it: `up` retries those."""
    key = _cache_key(config)
    with _lock:
        if key not in _done or transport is not None:
            _done[key] = _probe(config, transport)
        return _done[key]


def _probe(config: CustomCloudConfig, transport: httpx.BaseTransport | None) -> ConfigError | None:
    from provisioning.sdk.api_client import RetryPolicy

    from .client import CustomCloudClient

    url = config.api_url
    unset = " (custom-cloud:apiUrl is not set, so the default was used)" if url == DEFAULT_API_URL else ""
    client = CustomCloudClient.from_config(
        config.model_copy(update={"timeout": PROBE_TIMEOUT}),
        transport=transport,
        retry=RetryPolicy(attempts=1),
    )
    try:
        with client:
            client.get_json(_PROBE_PATH)
    except Unauthenticated:
        return ConfigError(
            "custom-cloud:apiKey",
            None,
            f"the API at {url} refused the key (401 unauthenticated): set your project's key with "
            "`pulumi config set --secret custom-cloud:apiKey <key>` "
            "(the local Custom Cloud's: `provisioning cloud key`)",
        )
    except NotFound:
        return ConfigError(
            "custom-cloud:apiUrl",
            url,
            f"{url}{_PROBE_PATH} answered 404: the URL must be the API's base, ending in /v1 "
            f"(e.g. http://127.0.0.1:8787/v1){unset}",
        )
    except TransportError as exc:
        return ConfigError("custom-cloud:apiUrl", url, _unreachable(url, exc.reason) + unset)
    except ApiError:
        return None  # 5xx / 429: transient, `up` retries
    return None


def _unreachable(url: str, reason: str) -> str:
    import httpx

    host = httpx.URL(url).host
    if any(marker in reason for marker in _UNRESOLVED):
        return f"the host {host!r} of {url} does not resolve"
    if any(marker in reason for marker in _REFUSED):
        return (
            f"nothing listens at {url} (connection refused): start the Custom Cloud "
            "(`provisioning cloud serve`) or fix the URL"
        )
    return f"no answer from {url} within {PROBE_TIMEOUT:g}s ({reason})"
