"""One exception class per Custom Cloud API error, each carrying its HTTP status and code."""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "ApiError",
    "Conflict",
    "IdempotencyMismatch",
    "InjectedFault",
    "InvalidRequest",
    "InvalidState",
    "MethodNotAllowed",
    "NotFound",
    "RateLimited",
    "Unauthenticated",
    "ValidationFailed",
]


class ApiError(Exception):
    """Base of every API error: rendered as `{"error": {code, message, details}}` with `status`."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, **kw: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}
        self.headers: dict[str, str] = {}

    def envelope(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidRequest(ApiError):
    """Malformed request (e.g. a body that is not JSON)."""

    status = 400
    code = "invalid_request"


class Unauthenticated(ApiError):
    """Missing or wrong bearer token."""

    status = 401
    code = "unauthenticated"


class NotFound(ApiError):
    """No such resource in the caller's project (or no such route)."""

    status = 404
    code = "not_found"


class MethodNotAllowed(ApiError):
    """The route exists but not with this method."""

    status = 405
    code = "method_not_allowed"


class Conflict(ApiError):
    """Name clash or resource in use (`details.field` or `details.dependents`)."""

    status = 409
    code = "conflict"


class InvalidState(ApiError):
    """The action is not allowed in the resource's current status."""

    status = 409
    code = "invalid_state"


class ValidationFailed(ApiError):
    """A field breaks a rule; `details` holds field, value, rule and `errors`."""

    status = 422
    code = "validation_failed"

    @classmethod
    def field(cls, field: str, value: Any, rule: str, message: str) -> ValidationFailed:
        """One failing field."""
        one = {"field": field, "value": value, "rule": rule}
        return cls(message, details={**one, "errors": [one]})


class IdempotencyMismatch(ApiError):
    """The Idempotency-Key was used before with another request."""

    status = 422
    code = "idempotency_mismatch"


class RateLimited(ApiError):
    """Too many requests for this key; `Retry-After` says when to retry."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details={"retry_after": retry_after, **(details or {})})
        self.headers["Retry-After"] = str(retry_after)


class InjectedFault(ApiError):
    """A fault injected on purpose (status 500, 503 or 429 as configured)."""

    code = "injected_fault"

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, details={"status": status})
        self.injected_status = status
        if status == 429:
            self.headers["Retry-After"] = "1"
