"""The lookup of one API collection: find one (by id, or by name where names are unique) or every match,
paging through the API with the provider's configuration; plain and `pulumi.Output` forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import pulumi
from pydantic import BaseModel

from provisioning.sdk.errors import ConfigError, NotFound

from ..api.collections import Collection
from ..client import CustomCloudClient
from ..config import CustomCloudConfig, load_config
from .errors import AmbiguousLookup, NothingFound
from .results import AnyResult

__all__ = ["GONE", "Lookup"]

GONE = frozenset({"deleting", "deleted"})
"""Statuses a lookup skips unless it asks for them by `status`."""


R = TypeVar("R", bound=AnyResult)


def _stack_config(key: str) -> Any:
    """A `custom-cloud:*` stack config value (None outside a Pulumi program or when unset)."""
    namespace, _, name = key.partition(":")
    try:
        return pulumi.Config(namespace).get(name)
    except Exception:  # no program running: the environment decides
        return None


@dataclass(frozen=True)
class Lookup(Generic[R]):
    """The `get_x` / `get_xs` pair (and their `_output` forms) of one API collection."""

    collection: Collection[Any]
    """The API collection searched."""
    noun: str
    """What one item is called in messages (`server`)."""
    result: type[R]
    """The typed result."""
    unique_within: tuple[str, ...]
    """Fields a name is unique within (`zone`; empty: unique per project)."""

    # -- plain forms -------------------------------------------------------------------------------------

    def one(
        self,
        *,
        id: str | None = None,  # noqa: A002 (the Pulumi convention)
        name: str | None = None,
        zone: str | None = None,
        region: str | None = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> R:
        """Exactly one resource, by `id` or by `name` (narrowed by `zone` / `region`).

        Raises `NothingFound` or `AmbiguousLookup` naming what was looked for, `ConfigError` for bad
        arguments, and the API's errors (`Unauthenticated`, …) as they come."""
        if (id is None) == (name is None):
            raise ConfigError("id/name", {"id": id, "name": name}, f"get_{self.noun}: pass id or name")
        where = self._where(zone=zone, region=region)
        with self._client(config, transport) as api:
            if id is not None:
                wanted = f"with id {id!r}" + _said(where)
                try:
                    found = [self._result(api.get(self.collection, id))]
                except NotFound:
                    raise NothingFound(self.noun, wanted) from None
                found = [r for r in found if r.status not in GONE and _matches(r, where)]
            else:
                wanted = f"named {name!r}" + _said(where)
                found = self._find(api, name=name, labels=None, status=None, where=where)
        if not found:
            raise NothingFound(self.noun, wanted)
        if len(found) > 1:
            candidates = [f"{r.id} ({_described(r)})" for r in found]
            filters = [f"{k}=..." for k in ("zone", "region") if k in self.result.model_fields]
            hint = f"pass {', '.join([*filters, 'id=...'])} to choose one"
            raise AmbiguousLookup(self.noun, wanted, candidates, hint)
        return found[0]

    def all(
        self,
        *,
        labels: Mapping[str, str] | None = None,
        status: str | None = None,
        zone: str | None = None,
        region: str | None = None,
        name: str | None = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> list[R]:
        """Every resource whose labels include `labels` and that has `status` (default: any but
        deleting/deleted), `zone`, `region` and `name` when given; oldest first, every page read."""
        where = self._where(zone=zone, region=region)
        with self._client(config, transport) as api:
            return self._find(api, name=name, labels=labels, status=status, where=where)

    # -- output forms ------------------------------------------------------------------------------------

    def one_output(
        self,
        *,
        id: pulumi.Input[str | None] = None,  # noqa: A002 (the Pulumi convention)
        name: pulumi.Input[str | None] = None,
        zone: pulumi.Input[str | None] = None,
        region: pulumi.Input[str | None] = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> pulumi.Output[R]:
        """`one` over `pulumi.Input`s: runs once every argument is known."""
        args = pulumi.Output.all(id=id, name=name, zone=zone, region=region)
        return args.apply(lambda a: self.one(**a, config=config, transport=transport))

    def all_output(
        self,
        *,
        labels: pulumi.Input[Mapping[str, pulumi.Input[str]] | None] = None,
        status: pulumi.Input[str | None] = None,
        zone: pulumi.Input[str | None] = None,
        region: pulumi.Input[str | None] = None,
        name: pulumi.Input[str | None] = None,
        config: CustomCloudConfig | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> pulumi.Output[list[R]]:
        """`all` over `pulumi.Input`s: runs once every argument is known."""
        args = pulumi.Output.all(labels=labels, status=status, zone=zone, region=region, name=name)
        return args.apply(lambda a: self.all(**a, config=config, transport=transport))

    # -- helpers -----------------------------------------------------------------------------------------

    def _where(self, *, zone: str | None, region: str | None) -> dict[str, str]:
        """The scope filters given, refusing one the collection's items do not have."""
        where = {k: v for k, v in (("zone", zone), ("region", region)) if v is not None}
        fields = self.result.model_fields
        for key, value in where.items():
            if key not in fields:
                raise ConfigError(key, value, f"{self.noun}s have no {key}: look them up without it")
        return where

    def _client(
        self, config: CustomCloudConfig | None, transport: httpx.BaseTransport | None
    ) -> CustomCloudClient:
        resolved = config if config is not None else load_config(_stack_config)
        return CustomCloudClient.from_config(resolved, transport=transport)

    def _find(
        self,
        api: CustomCloudClient,
        *,
        name: str | None,
        labels: Mapping[str, str] | None,
        status: str | None,
        where: Mapping[str, str],
    ) -> list[R]:
        found = (self._result(r) for r in api.find(self.collection, name=name, labels=dict(labels or {})))
        return [
            r
            for r in found
            if (r.status == status if status is not None else r.status not in GONE) and _matches(r, where)
        ]

    def _result(self, resource: BaseModel) -> R:
        return self.result(**resource.model_dump(mode="json"))


def _matches(result: BaseModel, where: Mapping[str, str]) -> bool:
    return all(getattr(result, k, None) == v for k, v in where.items())


def _described(result: BaseModel) -> str:
    """Where a result lives (`zone us-west-1a`, `network net-1, zone us-west-1a`)."""
    keys = (("network_id", "network"), ("zone", "zone"), ("region", "region"))
    parts = [f"{label} {v}" for k, label in keys if (v := getattr(result, k, None)) is not None]
    return ", ".join(parts[:2]) or "no region"


def _said(where: Mapping[str, str]) -> str:
    """` in zone us-west-1a` for `{"zone": "us-west-1a"}`."""
    return "".join(f" in {k} {v}" for k, v in where.items())
