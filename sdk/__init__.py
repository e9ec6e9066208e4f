"""What every extension builds on: schemas, errors, the resilient HTTP client, the dynamic-provider base.

The dynamic-provider names import `pulumi` lazily, so `provisioning.sdk.cli` starts fast."""

from typing import Any

from .api_client import ApiClient, RetryPolicy, idempotency_key
from .backoff import Backoff
from .errors import (
    ApiError,
    ConfigError,
    Conflict,
    InvalidState,
    NotFound,
    ProvisioningError,
    RateLimited,
    ServerError,
    TransportError,
    Unauthenticated,
    ValidationFailed,
    WaitTimeout,
)
from .registry import Declaration, declaration, declarations, register
from .schemas import ClusterConfig, ProviderConfig, ServerConfig, TaskServiceConfig
from .validation import Violation, parse, violations
from .waiters import wait_for

__all__ = [
    "ApiClient",
    "ApiError",
    "Backoff",
    "ClusterConfig",
    "ConfigError",
    "Conflict",
    "Declaration",
    "DynamicProvider",
    "DynamicResource",
    "InvalidState",
    "NotFound",
    "ProviderConfig",
    "ProvisioningError",
    "RateLimited",
    "RetryPolicy",
    "ServerConfig",
    "ServerError",
    "TaskServiceConfig",
    "TransportError",
    "Unauthenticated",
    "ValidationFailed",
    "Violation",
    "WaitTimeout",
    "declaration",
    "declarations",
    "idempotency_key",
    "parse",
    "register",
    "stack_hourly_cost",
    "violations",
    "wait_for",
]

_LAZY = {"DynamicProvider": "dynamic", "DynamicResource": "dynamic", "stack_hourly_cost": "cost"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
