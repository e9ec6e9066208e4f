"""What every extension builds on: schemas, errors, the resilient HTTP client, the dynamic-provider base.

Every name is imported on first use: a program or a command that needs one part (the registry, the errors)
does not load the others (`pulumi` for the dynamic-provider base, httpx for the client)."""

from typing import TYPE_CHECKING

from ._lazy import exports_on_first_use

if TYPE_CHECKING:  # the public names, one a line: type checkers read them, `__getattr__` imports them
    from .api_client import ApiClient as ApiClient
    from .api_client import RetryPolicy as RetryPolicy
    from .api_client import idempotency_key as idempotency_key
    from .backoff import Backoff as Backoff
    from .cost import stack_hourly_cost as stack_hourly_cost
    from .dynamic import DynamicProvider as DynamicProvider
    from .dynamic import DynamicResource as DynamicResource
    from .errors import ApiError as ApiError
    from .errors import ConfigError as ConfigError
    from .errors import Conflict as Conflict
    from .errors import InvalidState as InvalidState
    from .errors import NotFound as NotFound
    from .errors import ProvisioningError as ProvisioningError
    from .errors import RateLimited as RateLimited
    from .errors import ServerError as ServerError
    from .errors import TransportError as TransportError
    from .errors import Unauthenticated as Unauthenticated
    from .errors import ValidationFailed as ValidationFailed
    from .errors import WaitTimeout as WaitTimeout
    from .registry import Declaration as Declaration
    from .registry import declaration as declaration
    from .registry import declarations as declarations
    from .registry import register as register
    from .schemas import ProviderConfig as ProviderConfig
    from .schemas import TaskServiceConfig as TaskServiceConfig
    from .validation import Violation as Violation
    from .validation import parse as parse
    from .validation import violations as violations
    from .waiters import wait_for as wait_for

__all__, __getattr__ = exports_on_first_use(__name__)
