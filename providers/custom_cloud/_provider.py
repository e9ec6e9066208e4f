"""The Custom Cloud provider base: configuration from stack config / env, and a client per call."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pulumi.dynamic as dyn

from provisioning.sdk.dynamic import DynamicProvider
from provisioning.sdk.errors import ConfigError, NotFound

from .config import CustomCloudConfig, load_config, origin_of
from .preflight import preflight

if TYPE_CHECKING:  # the HTTP client is imported where a call needs it: a program never does
    import httpx

    from .client import Created, CustomCloudClient

__all__ = ["CustomCloudProvider", "create_idempotent", "ignore_not_found"]

_log = logging.getLogger("provisioning.custom_cloud")

MAX_KEY_GENERATIONS = 8
"""How many derived key generations a create tries while earlier ones replay resources that are gone; past
them it uses a key of its own (a stack destroyed and made again every night must not run out of keys)."""


class CustomCloudProvider(DynamicProvider):
    """Base of every Custom Cloud resource provider. Holds nothing when pickled; `transport` is for tests."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__()
        self._transport = transport

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._transport = None

    def config(self) -> CustomCloudConfig:
        """The provider config (stack config first, then the environment); `ConfigError` if incomplete."""
        return load_config(self.stack_config)

    def configured_region(self) -> str:
        """The provider's region (`custom-cloud:region`), or the config's default while the configuration
        cannot be read (`check` reports that problem itself)."""
        try:
            return self.config().region
        except ConfigError:
            return str(CustomCloudConfig.model_fields["region"].default)

    def default_origins(self) -> dict[str, str]:
        """A resource's `region`, when unset, is the provider's: say where that came from."""
        return {"region": f"the provider's region, {origin_of('region', self.stack_config)}"}

    def config_failures(self) -> list[dyn.CheckFailure]:
        try:
            self.config()
        except ConfigError as exc:
            return [_failure(exc)]
        return []

    def probe_failures(self) -> list[dyn.CheckFailure]:
        """One probe of the API with this configuration (once per process): key, URL, reachability."""
        problem = preflight(self.config(), transport=self._transport)
        return [] if problem is None else [_failure(problem)]

    def client(self) -> CustomCloudClient:
        """A fresh API client (built per call: the provider object captures no client)."""
        from .client import CustomCloudClient

        return CustomCloudClient.from_config(self.config(), transport=self._transport)


def ignore_not_found(action: Callable[[], Any]) -> bool:
    """Run `action`; True if it ran, False if the API answered 404 (already gone)."""
    try:
        action()
    except NotFound:
        return False
    return True


def create_idempotent(
    create: Callable[[str], Created],
    alive: Callable[[Any], bool],
    *,
    scope: Any,
    body: Any,
) -> Any:
    """POST with a key derived from `scope` and `body`, so a retried or repeated create finds what the first
    one made. A replayed answer whose resource is gone (deleted since) moves on to the next key generation;
    after `MAX_KEY_GENERATIONS` of those, to a key of this call's own (its HTTP retries still share it; a
    create repeated after an interrupted `up` then meets its name taken and adopts by ownership label)."""
    from provisioning.sdk.api_client import idempotency_key

    for generation in range(MAX_KEY_GENERATIONS):
        key = idempotency_key(scope, body, generation)
        created = create(key)
        if not created.replayed:
            return created.resource
        try:
            if alive(created.resource):
                _log.info("create replayed for key generation %d: found %s", generation, created.resource.id)
                return created.resource
        except NotFound:
            pass
    _log.info(
        "create of %s: %d key generations replay deleted resources, a key of its own", scope, generation + 1
    )
    return create(idempotency_key(scope, body, uuid.uuid4().hex)).resource


def _failure(problem: ConfigError) -> dyn.CheckFailure:
    return dyn.CheckFailure("", f"{problem.field}: {problem.rule}")
