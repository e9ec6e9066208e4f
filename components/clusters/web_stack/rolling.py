"""How a change that stops servers goes through a tier: in batches, each batch after the previous one, never
all of a tier at once; and what `pulumi preview` says about a resize. Pure: no Pulumi, no host."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from .blueprint import Placement, placements
from .spec import WebStackConfig

__all__ = [
    "FRONTS",
    "ResizeNotice",
    "batch_sizes",
    "previous_batch",
    "registration_order",
    "resize_notice",
    "roll_batch_size",
]

T = TypeVar("T")

FRONTS = {"app": "web", "web": "load_balancer"}
"""Per tier whose resize rolls: the tier whose HAProxy balances over it (and drains its servers)."""

_FIELDS = {
    "database": "database_tier.instance_type",
    "app": "app_tier.instance_type",
    "web": "web_tier.instance_type",
}
_DATABASE_COST = (
    "the database does not answer until it is back, so every app server's health fails and the stack "
    "answers 503 meanwhile (no standby-first resize with a switchover yet): downtime; resize when the stack "
    "may be down for a server's stop and boot"
)
_FRONT_NAMES = {"app": "every web server's HAProxy", "web": "the load balancer's HAProxy"}


def previous_batch(items: Sequence[T], index: int, size: int) -> list[T]:
    """The items of the batch before the one `items[index]` is in, batches of `size` in order."""
    batch = index // size
    return list(items[max(0, (batch - 1) * size) : batch * size])


def roll_batch_size(servers: int, requested: int = 1) -> int:
    """Servers of a tier of `servers` stopped at once by a rolling change: `requested`, but always leaving
    one serving (at least 1)."""
    return max(1, min(requested, servers - 1))


def batch_sizes(config: WebStackConfig) -> dict[str, int]:
    """Per tier whose changes roll: servers stopped at once. The app tier `app_tier.update_batch_size`,
    the web tier one, both leaving a server serving."""
    requested = {"app": config.app_tier.update_batch_size, "web": 1}
    return {tier: roll_batch_size(_count(config, tier), size) for tier, size in requested.items()}


def registration_order(servers: Sequence[Placement]) -> list[Placement]:
    """`servers` with each after the proxies in front of it (the load balancer, the web servers, then the
    app servers), the rest as they are: a server's resize hooks wait for the proxies' endpoints, which a
    proxy registered later (its step queued behind) might never get with few parallel steps."""

    def depth(tier: str) -> int:
        return 1 + depth(FRONTS[tier]) if tier in FRONTS else 0

    return sorted(servers, key=lambda p: depth(p.tier))


def _count(config: WebStackConfig, tier: str) -> int:
    return sum(1 for p in placements(config) if p.tier == tier)


@dataclass(frozen=True)
class ResizeNotice:
    """What `pulumi preview` says about one server's resize."""

    field: str
    """The WebStack field that resizes it."""
    message: str
    """The warning, starting with the field."""
    rolls: bool
    """Whether the resize rolls (no request fails) or costs downtime."""


def resize_notice(
    tier: str, server: str, before: str, after: str, *, servers: int, batch: int, fronted: bool
) -> ResizeNotice | None:
    """The notice for `server` of `tier` (a tier of `servers` servers, resized `batch` at a time, behind
    a HAProxy when `fronted`) going from machine type `before` to `after`; None for a tier without one."""
    if tier not in _FIELDS:
        return None
    field = _FIELDS[tier]
    resize = f"{before} -> {after}"
    if tier == "database":
        return ResizeNotice(
            field,
            f"{field}: server {server} is stopped, resized ({resize}) and started: {_DATABASE_COST}",
            False,
        )
    count = "one server" if batch == 1 else f"{batch} servers"
    if servers > 1 and fronted:
        message = (
            f"{field}: server {server} is resized ({resize}) in a rolling update: drained from "
            f"{_FRONT_NAMES[tier]}, stopped, resized, started and back in the pool once healthy, {count} "
            f"at a time; the other {tier} servers serve meanwhile (the tier has {count} fewer while it runs)"
        )
        return ResizeNotice(field, message, True)
    if servers <= 1:
        why = (
            f"the {tier} tier has one server, so the resize cannot roll: the stack answers 503 until it is "
            f"back; add a replica first ({tier}_tier.replicas 2) to resize without downtime"
        )
    else:
        why = (
            "no load balancer is in front of the web servers, so the resize cannot roll: the stack's "
            "endpoint (the first web server) does not answer until it is back"
        )
    message = f"{field}: server {server} is stopped, resized ({resize}) and started: {why}"
    return ResizeNotice(field, message, False)
