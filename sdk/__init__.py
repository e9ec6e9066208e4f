"""What every extension builds on: schemas, errors, the resilient HTTP client, the dynamic-provider base.

Every name is imported on first use: a program or a command that needs one part (the registry, the errors)
does not load the others (`pulumi` for the dynamic-provider base, httpx for the client)."""

from typing import TYPE_CHECKING

from ._lazy import names_on_first_use

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
    from .schemas import ProviderConfig, TaskServiceConfig
    from .validation import Violation, parse, violations
    from .waiters import wait_for

__all__ = [
    "ApiClient",
    "ApiError",
    "Backoff",
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

__getattr__ = names_on_first_use(__name__, __all__, _MODULES)
