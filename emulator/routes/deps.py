"""Dependencies shared by the routes: the caller's project (auth, rate limit, faults), idempotency, errors."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel

from provisioning.providers.custom_cloud.api.models import ErrorEnvelope

from ..backend import CloudBackend, IdemRequest, Outcome
from ..errors import Unauthenticated
from .common import parse_labels

if TYPE_CHECKING:
    from ..faults import Faults
    from ..ratelimit import RateLimiter

__all__ = ["ERRORS", "AdminDep", "Caller", "CallerDep", "IdemKey", "idem_request", "outcome_response"]

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in (
        (400, "Malformed request"),
        (401, "Missing or wrong API key"),
        (404, "Not found (or another project's)"),
        (409, "Conflict or invalid state"),
        (422, "Validation failed or idempotency mismatch"),
        (429, "Rate limited (see Retry-After)"),
        (500, "Injected fault"),
        (503, "Injected fault"),
    )
}
"""Error responses documented on every route (one envelope)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated API caller."""

    backend: CloudBackend
    """The backend."""
    project_id: str
    """The caller's project."""

    async def write(self, method: Callable[..., Outcome], *args: Any, **kwargs: Any) -> Outcome:
        """Run the backend write `method(*args, **kwargs)` on the store's writer thread and await it.

        The write joins the next group commit; neither the event loop nor a worker thread waits on it.
        """
        return await self.backend.store.transact_async(lambda _conn: method(*args, **kwargs))

    def list_page(
        self,
        kind: str,
        *,
        page_size: int,
        page_token: str | None,
        name: str | None,
        label: list[str] | None,
        status: str | None = None,
        where: list[tuple[str, Any]] | None = None,
    ) -> Response:
        """One page of the caller's `kind` resources, oldest first, filtered; as the 200 response."""
        return json_response(
            self.backend.list_json(
                self.project_id,
                kind,
                page_size=page_size,
                page_token=page_token,
                name=name,
                status=status,
                labels=parse_labels(label),
                where=where,
            )
        )


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def require_caller(request: Request) -> Caller:
    """Authenticate the bearer key, then apply the rate limit and injected faults."""
    state = request.app.state
    backend: CloudBackend = state.backend
    token = _bearer(request)
    project = backend.project_of_key(token) if token else None
    if project is None or token is None:
        raise Unauthenticated("missing or invalid API key (Authorization: Bearer <api key>)")
    limiter: RateLimiter = state.ratelimiter
    limiter.check(project + ":" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:16])
    faults: Faults = state.faults
    route = f"{request.method} {getattr(request.scope.get('route'), 'path', request.url.path)}"
    delay = faults.latency_s(route)
    if delay:
        await asyncio.sleep(delay)
    faults.maybe_fail(route)
    return Caller(backend, project)


async def require_admin(request: Request) -> None:
    """Check the admin bearer token (admin routes are closed when no token is configured)."""
    expected: str | None = request.app.state.settings.admin_token
    token = _bearer(request)
    if not expected or token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthenticated("missing or invalid admin token")


CallerDep = Annotated[Caller, Depends(require_caller)]
AdminDep = Depends(require_admin)
IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


def idem_request(key: str | None, request: Request, body: BaseModel | None = None) -> IdemRequest | None:
    """The idempotency record key for this request (hash of method, path and body), or None."""
    if key is None:
        return None
    payload = f"{request.method} {request.url.path}\n" + ("" if body is None else body.model_dump_json())
    return IdemRequest(key, hashlib.sha256(payload.encode()).hexdigest())


def outcome_response(outcome: Outcome) -> Response:
    """The HTTP response of a backend write."""
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    if outcome.status == 204:
        return Response(status_code=204, headers=headers)
    return Response(outcome.body, status_code=outcome.status, media_type="application/json", headers=headers)


def json_response(body: str) -> Response:
    """A 200 JSON response from an already serialized body."""
    return Response(body, media_type="application/json")
