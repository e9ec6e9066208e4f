"""The app factory: `create_app(settings)` wires store, backend, routes, errors, metrics and the sweeper."""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from provisioning.providers.custom_cloud.api import models as api_models
from provisioning.sdk.documented import build_deferred

from .backend import CloudBackend
from .errors import ApiError, InjectedFault, InvalidRequest, MethodNotAllowed, NotFound, ValidationFailed
from .faults import FaultConfig, Faults
from .hosts import make_host_backend
from .metrics import Metrics, MetricsMiddleware
from .ratelimit import RateLimiter
from .routes import admin_router, system_router, v1_router
from .settings import Settings
from .store import Store

__all__ = ["create_app"]

log = logging.getLogger("provisioning.emulator")
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def _jsonable(value: Any) -> Any:
    try:
        return jsonable_encoder(value)
    except Exception:  # noqa: BLE001 - any odd input value is reported as its repr
        return repr(value)


def _validation_error(exc: RequestValidationError) -> ApiError:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        if err.get("type") == "json_invalid":
            return InvalidRequest(f"malformed JSON body: {err.get('msg', '')}", details={"field": "body"})
        path = loc[1:] if len(loc) > 1 and loc[0] in _LOCATIONS else loc
        errors.append(
            {
                "field": ".".join(path) or "body",
                "value": _jsonable(err.get("input")),
                "rule": err.get("type", "invalid"),
                "message": err.get("msg", ""),
            }
        )
    first = errors[0] if errors else {"field": "body", "value": None, "rule": "invalid", "message": ""}
    return ValidationFailed(
        f"{first['field']}: {first['message']}",
        details={"field": first["field"], "value": first["value"], "rule": first["rule"], "errors": errors},
    )


def _error_response(exc: ApiError) -> JSONResponse:
    status = exc.injected_status if isinstance(exc, InjectedFault) else exc.status
    return JSONResponse(exc.envelope(), status_code=status, headers=exc.headers or None)


def create_app(settings: Settings) -> FastAPI:
    """A ready Custom Cloud app over the state file `settings.state_path`."""
    store = Store(settings.state_path, synchronous=settings.synchronous)
    faults = Faults(
        FaultConfig(
            error_rate=settings.fault_error_rate,
            latency_ms=settings.fault_latency_ms,
            routes=settings.fault_routes,
        )
    )
    backend = CloudBackend(settings, store, make_host_backend(settings.host_backend, settings), faults)
    stop = threading.Event()

    def sweeper() -> None:
        while not stop.wait(settings.sweep_interval_s):
            try:
                backend.sweep()
            except Exception:  # pragma: no cover - logged and retried on the next tick
                log.exception("sweeper failed")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What exists now (app, routes, models: ~100k objects) lives as long as the server: keep it out of
        # the cyclic GC, whose full passes over it otherwise stall every request in flight for tens of ms.
        gc.collect()
        gc.freeze()
        thread = threading.Thread(target=sweeper, name="custom-cloud-sweeper", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)
            close = getattr(backend.hosts, "close", None)
            if close is not None:  # machine hosts: stop every machine, remove bridges (disks stay)
                close()

    build_deferred(api_models)  # FastAPI describes the API from built models
    app = FastAPI(
        title="Custom Cloud API",
        version="1.0.0",
        description="The local Custom Cloud (emulator). See docs/custom-cloud-api.md.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.backend = backend
    app.state.faults = faults
    app.state.ratelimiter = RateLimiter(settings.rate_limit)
    app.state.metrics = metrics = Metrics()

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(_validation_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _error_response(NotFound(f"no route {request.method} {request.url.path}"))
        if exc.status_code == 405:
            return _error_response(
                MethodNotAllowed(f"method {request.method} not allowed on {request.url.path}")
            )
        body = {"error": {"code": f"http_{exc.status_code}", "message": str(exc.detail), "details": {}}}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    app.include_router(system_router)
    app.include_router(v1_router)
    app.include_router(admin_router)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app
