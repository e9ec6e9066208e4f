"""What every extension builds on: schemas, errors, the resilient HTTP client, the dynamic-provider base.

Every name is imported on first use: a program or a command that needs one part (the registry, the errors)
does not load the others (`pulumi` for the dynamic-provider base, httpx for the client)."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:  # the public names, one a line: type checkers read them, `__getattr__` imports them
    from .api_client import (
        ApiClient as ApiClient,
        RetryPolicy as RetryPolicy,
        idempotency_key as idempotency_key,
    )
    from .backoff import Backoff as Backoff
    from .cost import stack_hourly_cost as stack_hourly_cost
    from .dynamic import DynamicProvider as DynamicProvider, DynamicResource as DynamicResource
    from .errors import (
        ApiError as ApiError,
        ConfigError as ConfigError,
        Conflict as Conflict,
        InvalidState as InvalidState,
        NotFound as NotFound,
        ProvisioningError as ProvisioningError,
        RateLimited as RateLimited,
        ServerError as ServerError,
        TransportError as TransportError,
        Unauthenticated as Unauthenticated,
        ValidationFailed as ValidationFailed,
        WaitTimeout as WaitTimeout,
    )
    from .registry import (
        Declaration as Declaration,
        declaration as declaration,
        declarations as declarations,
        register as register,
    )
    from .schemas import ProviderConfig as ProviderConfig, TaskServiceConfig as TaskServiceConfig
    from .validation import Violation as Violation, parse as parse, violations as violations
    from .waiters import wait_for as wait_for

__all__, __getattr__ = exports_on_first_use(__name__)
