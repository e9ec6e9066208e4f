"""Unauthenticated system routes: /healthz and /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

__all__ = ["router"]

router = APIRouter(tags=["system"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: `{"status": "ok"}`."""
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    """Prometheus text format: requests, latency histogram, resources by kind and status."""
    state = request.app.state
    text = state.metrics.render(state.backend.gauges())
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")
