"""What every extension builds on: schemas, errors, the resilient HTTP client, the dynamic-provider base.

Every name is imported on first use: a program or a command that needs one part (the registry, the errors)
does not load the others (`pulumi` for the dynamic-provider base, httpx for the client)."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api_client import ApiClient, RetryPolicy, idempotency_key
    from .backoff import Backoff
    from .cost import stack_hourly_cost
    from .dynamic import DynamicProvider, DynamicResource
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

_MODULES = (
    "errors",
    "registry",
    "validation",
    "schemas",
    "backoff",
    "waiters",
    "api_client",
    "dynamic",
    "cost",
)
"""Where the public names live, searched in this order on first use."""


def __getattr__(name: str) -> Any:
    if name in __all__:
        for module in _MODULES:
            value = getattr(import_module(f"{__name__}.{module}"), name, None)
            if value is not None:
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
