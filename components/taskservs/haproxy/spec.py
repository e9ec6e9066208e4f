"""The HAProxy declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:HAProxy` (kind "taskserv", category "load-balancer"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from provisioning.sdk.registry import Declaration, register
from provisioning.sdk.rules import Matches
from provisioning.sdk.taskservice.rules import InRange
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from provisioning.sdk.validation import Violation

__all__ = ["HAPROXY", "Backend", "HAProxyConfig", "StatsSettings"]

_PORT = InRange(0, 65536, "must be between 1 and 65535")
_URL_PATH = Matches(r"/[A-Za-z0-9._~/-]*", "a path starting with '/' of letters, digits and . _ ~ / -")
_DURATION = Matches(r"[1-9][0-9]*(ms|s|m|h)", "a duration: a whole number and ms, s, m or h (2s, 500ms)")


class Backend(SettingsModel):
    """One server requests are balanced to."""

    name: Annotated[
        str, Matches(r"[A-Za-z][A-Za-z0-9_-]{0,62}", "1 to 63 letters, digits, '_' and '-', first a letter")
    ]
    """Its name in the config and on the stats page (unique)."""
    address: Annotated[str, Matches(r"[A-Za-z0-9.:-]+", "an IP address or host name")]
    """Where it listens: an IP address or a host name."""
    port: Annotated[int, _PORT]
    """Its TCP port."""


class StatsSettings(SettingsModel):
    """HAProxy's statistics page (what the health step reads)."""

    enabled: bool = True
    """Serve the stats page."""
    port: Annotated[int, _PORT] = 8404
    """TCP port of the stats page."""
    path: Annotated[str, _URL_PATH] = "/stats"
    """URL path of the stats page."""


class HAProxyConfig(TaskServiceSettings):
    """An HTTP load balancer (HAProxy) in front of backend servers, with health checks and a stats page."""

    version: Annotated[str, Matches(r"[1-9][0-9]*(\.[0-9]+)?", "a HAProxy release line (2 or 2.6)")] = "2.6"
    """HAProxy release line the host must have (2.6 on Debian 12)."""
    port: Annotated[int, _PORT] = 80
    """TCP port of the frontend clients connect to."""
    backends: list[Backend] = Field(default_factory=list)
    """The backend servers (at least one): {name, address, port}."""
    health_check_path: Annotated[str, _URL_PATH] = "/health"
    """HTTP path HAProxy checks on each backend (a 2xx or 3xx answer is up)."""
    check_interval: Annotated[str, _DURATION] = "2s"
    """Time between two checks of a backend."""
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


HAPROXY = register(
    Declaration(
        "provisioning:taskservs:HAProxy",
        HAProxyConfig,
        kind="taskserv",
        category="load-balancer",
        rules=(at_least_one_backend, unique_backend_names, stats_port_apart),
    )
)
"""The HAProxy task service."""
