"""The HAProxy declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:HAProxy` (kind "taskserv", category "load-balancer"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from provisioning.sdk.rules import Matches
from provisioning.sdk.taskservice.rules import ANY_PORT, InRange
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from provisioning.sdk.validation import Violation

from .._service import declare

__all__ = ["HAPROXY", "METRICS_PATH", "Backend", "HAProxyConfig", "SslSettings", "StatsSettings"]

_URL_PATH = Matches(r"/[A-Za-z0-9._~/-]*", "a path starting with '/' of letters, digits and . _ ~ / -")
_DURATION = Matches(r"[1-9][0-9]*(ms|s|m|h)", "a duration: a whole number and ms, s, m or h (2s, 500ms)")
_FILE = Matches(r"/[A-Za-z0-9._/-]+", "an absolute path of letters, digits and . _ / -")
_NAME = Matches(r"[A-Za-z0-9][A-Za-z0-9.:-]*", "an IP address or host name")
METRICS_PATH = "/metrics"
"""Where the stats frontend serves HAProxy's built-in Prometheus exporter."""


class Backend(SettingsModel):
    """One server requests are balanced to."""

    name: Annotated[
        str, Matches(r"[A-Za-z][A-Za-z0-9_-]{0,62}", "1 to 63 letters, digits, '_' and '-', first a letter")
    ]
    """Its name in the config and on the stats page (unique)."""
    address: Annotated[str, Matches(r"[A-Za-z0-9.:-]+", "an IP address or host name")]
    """Where it listens: an IP address or a host name."""
    port: Annotated[int, ANY_PORT]
    """Its TCP port."""


class StatsSettings(SettingsModel):
    """HAProxy's statistics page (what the health step reads) and its Prometheus exporter at /metrics."""

    enabled: bool = True
    """Serve the stats page, and the Prometheus exporter at /metrics on the same port."""
    port: Annotated[int, ANY_PORT] = 8404
    """TCP port of the stats page."""
    path: Annotated[str, _URL_PATH] = "/stats"
    """URL path of the stats page."""


class SslSettings(SettingsModel):
    """TLS on the frontend, beside its HTTP port."""

    enabled: bool = False
    """Serve HTTPS on `ssl.port` too (the HTTP port stays)."""
    port: Annotated[int, ANY_PORT] = 443
    """TCP port of the HTTPS frontend."""
    cert_file: Annotated[str, _FILE] | None = None
    """Certificate (PEM) already on the host; none: a self-signed one is made there with openssl for the
    host's addresses and name, `subject_alt_names`, 127.0.0.1 and localhost."""
    key_file: Annotated[str, _FILE] | None = None
    """Private key (PEM) of `cert_file`, already on the host."""
    subject_alt_names: list[Annotated[str, _NAME]] = Field(default_factory=list)
    """More names (host names or IP addresses) clients reach the frontend by, for the self-signed
    certificate."""


class HAProxyConfig(TaskServiceSettings):
    """An HTTP load balancer (HAProxy) in front of backend servers, with health checks and a stats page."""

    version: Annotated[str, Matches(r"[1-9][0-9]*(\.[0-9]+)?", "a HAProxy release line (2 or 2.6)")] = "2.6"
    """HAProxy release line the host must have (2.6 on Debian 12)."""
    port: Annotated[int, ANY_PORT] = 80
    """TCP port of the frontend clients connect to."""
    backends: list[Backend] = Field(default_factory=list)
    """The backend servers (at least one): {name, address, port}."""
    health_check_path: Annotated[str, _URL_PATH] = "/health"
    """HTTP path HAProxy checks on each backend (a 2xx or 3xx answer is up)."""
    check_interval: Annotated[str, _DURATION] = "2s"
    """Time between two checks of a backend."""
    fall: Annotated[int, InRange(0, 101, "must be between 1 and 100")] = 2
    """Failed checks in a row after which a backend is down (out of the pool)."""
    rise: Annotated[int, InRange(0, 101, "must be between 1 and 100")] = 2
    """Good checks in a row after which a backend is up again."""
    monitor_path: Annotated[str, _URL_PATH] | None = None
    """A path the frontend answers itself, never passing it to a backend: 200 while at least one backend
    is up, else 503. What a load balancer in front of this one checks, so that one backend going out of
    the pool (drained for a release) does not look like this proxy failing."""
    retries: Annotated[int, InRange(-1, 101, "must be between 0 and 100")] = 3
    """Connection attempts retried after a failure; with `option redispatch` the last goes to another
    backend, so a backend going away mid-request is not seen by clients."""
    ssl: SslSettings = Field(default_factory=SslSettings)
    """TLS on the frontend."""
    stats: StatsSettings = Field(default_factory=StatsSettings)
    """The stats page."""


def at_least_one_backend(config: HAProxyConfig) -> list[Violation]:
    """There is at least one backend."""
    if not config.backends:
        return [Violation("backends", [], "backends must list at least one backend {name, address, port}")]
    return []


def unique_backend_names(config: HAProxyConfig) -> list[Violation]:
    """Backend names are unique."""
    seen: set[str] = set()
    found = []
    for index, backend in enumerate(config.backends):
        if backend.name in seen:
            rule = f"backend name {backend.name!r} is used more than once; names must be unique"
            found.append(Violation(f"backends.{index}.name", backend.name, rule))
        seen.add(backend.name)
    return found


def stats_port_apart(config: HAProxyConfig) -> list[Violation]:
    """The stats page listens on another port than the frontend."""
    if config.stats.enabled and config.stats.port == config.port:
        return [Violation("stats.port", config.port, f"stats.port must differ from port {config.port}")]
    return []


def ssl_port_apart(config: HAProxyConfig) -> list[Violation]:
    """The HTTPS frontend listens on a port of its own."""
    if not config.ssl.enabled:
        return []
    taken = {"port": config.port, **({"stats.port": config.stats.port} if config.stats.enabled else {})}
    for field, port in taken.items():
        if config.ssl.port == port:
            return [Violation("ssl.port", port, f"ssl.port must differ from {field} {port}")]
    return []


def ssl_files_together(config: HAProxyConfig) -> list[Violation]:
    """A given certificate comes with its key, and a key with its certificate."""
    cert, key = config.ssl.cert_file, config.ssl.key_file
    if (cert is None) == (key is None):
        return []
    missing, given = ("ssl.key_file", "ssl.cert_file") if key is None else ("ssl.cert_file", "ssl.key_file")
    return [
        Violation(
            missing, None, f"{missing} must be given with {given} (both, or neither for a self-signed one)"
        )
    ]


def stats_path_not_metrics(config: HAProxyConfig) -> list[Violation]:
    """The stats page is not where the Prometheus exporter answers."""
    if config.stats.enabled and config.stats.path == METRICS_PATH:
        rule = f"stats.path must not be {METRICS_PATH}: the Prometheus exporter answers there"
        return [Violation("stats.path", config.stats.path, rule)]
    return []


HAPROXY = declare(
    "HAProxy",
    HAProxyConfig,
    "load-balancer",
    (
        at_least_one_backend,
        unique_backend_names,
        stats_port_apart,
        ssl_port_apart,
        ssl_files_together,
        stats_path_not_metrics,
    ),
)
"""The HAProxy task service."""
