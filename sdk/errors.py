"""One exception tree for every provider: config, API (by status), transport and timeout errors."""

from __future__ import annotations

from typing import Any, Self

__all__ = [
    "ApiError",
    "BadRequest",
    "ConfigError",
    "Conflict",
    "InvalidState",
    "NotFound",
    "ProvisioningError",
    "RateLimited",
    "ServerError",
    "TRANSIENT_ERRORS",
    "TransportError",
    "Unauthenticated",
    "ValidationFailed",
    "WaitTimeout",
    "api_error_for_status",
]


class ProvisioningError(Exception):
    """Root of every error raised by `provisioning`."""


class ConfigError(ProvisioningError):
    """A configuration or argument value breaks a rule; names the field, the value and the rule."""

    def __init__(self, field: str, value: Any, rule: str) -> None:
        self.field = field
        """Dotted path of the offending field (`disk_size`, `custom-cloud:apiKey`)."""
        self.value = value
        """The offending value (never a secret: callers pass a redacted placeholder)."""
        self.rule = rule
        """The rule, in words (`disk_size must be at least 10GB`)."""
        super().__init__(f"{field}: {rule} (got {value!r})")


class ApiError(ProvisioningError):
    """An HTTP API answered with an error; names method, path, status, code and the API's message."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int,
        code: str = "",
        message: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        self.method = method
        """HTTP method of the failed request."""
        self.path = path
        """URL path of the failed request (no query string, no host)."""
        self.status = status
        """HTTP status code."""
        self.code = code
        """The API's error code (`not_found`, `validation_failed` …)."""
        self.message = message
        """The API's error message."""
        self.details = details or {}
        """The API's error details (`field`, `value`, `rule`, `dependents` …)."""
        text = f"{method} {path} failed with {status}"
        if code:
            text += f" {code}"
        if message:
            text += f": {message}"
        super().__init__(text)

    def explained(self, message: str, *, field: str, value: Any) -> Self:
        """The same failure of the same request, told in `message` and blamed on `field` = `value`."""
        return type(self)(
            method=self.method,
            path=self.path,
            status=self.status,
            code=self.code,
            message=message,
            details={"field": field, "value": value},
        )

    @property
    def field(self) -> str | None:
        """The field the API blamed, when it named one."""
        value = self.details.get("field")
        return value if isinstance(value, str) else None


class BadRequest(ApiError):
    """400: the request was malformed."""


class Unauthenticated(ApiError):
    """401: the API key is missing or wrong."""


class NotFound(ApiError):
    """404: the resource does not exist (or belongs to another project)."""


class Conflict(ApiError):
    """409: a name clash or a resource still in use."""


class InvalidState(Conflict):
    """409 `invalid_state`: the action is not allowed in the resource's current status."""


class ValidationFailed(ApiError):
    """422: the API rejected a value."""


class RateLimited(ApiError):
    """429: too many requests; `retry_after` is the server's hint in seconds."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        """Seconds the server asked us to wait, if it said."""
        super().__init__(**kwargs)


class ServerError(ApiError):
    """5xx: the API failed; retried by the client before surfacing."""


class TransportError(ProvisioningError):
    """The request never got an HTTP answer (connect error, timeout, reset)."""

    def __init__(self, *, method: str, path: str, reason: str) -> None:
        self.method = method
        """HTTP method of the failed request."""
        self.path = path
        """URL path of the failed request."""
        self.reason = reason
        """What went wrong, from the transport."""
        super().__init__(f"{method} {path} failed: {reason}")


class WaitTimeout(ProvisioningError):
    """A waiter's deadline passed before the condition held."""

    def __init__(self, *, what: str, timeout: float, last: Any) -> None:
        self.what = what
        """What was awaited (`instance i-1 status running`)."""
        self.timeout = timeout
        """The deadline in seconds."""
        self.last = last
        """The last observed value."""
        super().__init__(f"timed out after {timeout:g}s waiting for {what} (last seen: {last!r})")


TRANSIENT_ERRORS: tuple[type[ProvisioningError], ...] = (ServerError, RateLimited, TransportError)
"""Failures that say nothing of the resource: the API or the network failed this time (the client has
retried them already); a later request may well succeed."""


def api_error_for_status(status: int, code: str = "") -> type[ApiError]:
    """The `ApiError` subclass for an HTTP status (and API code)."""
    if status == 409 and code == "invalid_state":
        return InvalidState
    if status >= 500:
        return ServerError
    return {
        400: BadRequest,
        401: Unauthenticated,
        404: NotFound,
        409: Conflict,
        422: ValidationFailed,
        429: RateLimited,
    }.get(status, ApiError)
