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

    def __init_subclass__(cls, *, status: int = 0, code: str = "", **kw: Any) -> None:
        """`class NotFound(ApiError, status=404, code="not_found")`: each error's status and code."""
        super().__init_subclass__(**kw)
        cls.status = status or cls.status
        cls.code = code or cls.code

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, **kw: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}
        self.headers: dict[str, str] = {}

    def envelope(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidRequest(ApiError, status=400, code="invalid_request"):
    """Malformed request (e.g. a body that is not JSON)."""


class Unauthenticated(ApiError, status=401, code="unauthenticated"):
    """Missing or wrong bearer token."""


class NotFound(ApiError, status=404, code="not_found"):
    """No such resource in the caller's project (or no such route)."""


class MethodNotAllowed(ApiError, status=405, code="method_not_allowed"):
    """The route exists but not with this method."""


class Conflict(ApiError, status=409, code="conflict"):
    """Name clash or resource in use (`details.field` or `details.dependents`)."""


class InvalidState(ApiError, status=409, code="invalid_state"):
    """The action is not allowed in the resource's current status."""


class ValidationFailed(ApiError, status=422, code="validation_failed"):
    """A field breaks a rule; `details` holds field, value, rule and `errors`."""

    @classmethod
    def field(cls, field: str, value: Any, rule: str, message: str) -> ValidationFailed:
        """One failing field."""
        one = {"field": field, "value": value, "rule": rule}
        return cls(message, details={**one, "errors": [one]})


class IdempotencyMismatch(ApiError, status=422, code="idempotency_mismatch"):
    """The Idempotency-Key was used before with another request."""


class RateLimited(ApiError, status=429, code="rate_limited"):
    """Too many requests for this key; `Retry-After` says when to retry."""

    def __init__(self, message: str, *, retry_after: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details={"retry_after": retry_after, **(details or {})})
        self.headers["Retry-After"] = str(retry_after)


class InjectedFault(ApiError, code="injected_fault"):
    """A fault injected on purpose (status 500, 503 or 429 as configured)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, details={"status": status})
        self.injected_status = status
        if status == 429:
            self.headers["Retry-After"] = "1"
