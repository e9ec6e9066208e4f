"""A generic provider for Custom Cloud resources that need no lifecycle beyond create/patch/delete
(networks, subnets, load balancers, volumes): fields in the API's Update model change in place, the rest
replace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pulumi.dynamic as dyn
from provisioning.sdk.errors import NotFound
from provisioning.sdk.validation import parse
from provisioning.sdk.waiters import wait_for
from pydantic import BaseModel

from ._provider import CustomCloudProvider, create_idempotent, ignore_not_found
from .client import CustomCloudClient

__all__ = ["ApiResourceProvider"]

_GONE = {"deleting", "deleted"}


class ApiResourceProvider(CustomCloudProvider):
    """CRUD through `CustomCloudClient.<verb>_<kind>`; subclasses set the class attributes."""

    kind: ClassVar[str]
    """Client method suffix (`network`, `subnet`, `load_balancer`, `volume`)."""
    create_model: ClassVar[type[BaseModel]]
    """The API's Create body."""
    update_model: ClassVar[type[BaseModel]]
    """The API's Update body: its fields change in place."""
    grow_only: ClassVar[frozenset[str]] = frozenset()
    """Numeric fields that change in place when they grow and replace when they shrink."""
    ready_status: ClassVar[str | None] = None
    """Status to wait for after create (None: ready at once)."""
    output_fields: ClassVar[tuple[str, ...]] = ("status", "created_at")
    """Fields of the API's answer exposed as outputs."""
    lifecycle_fields: ClassVar[frozenset[str]] = frozenset({"create_timeout"})
    """Inputs that only steer the provider (never replace)."""
    computed_fields = frozenset({"idempotency_scope"})

    def replaces(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: list[str]) -> list[str]:
        in_place = set(self.update_model.model_fields) | self.lifecycle_fields
        found = [name for name in changed if name not in in_place]
        for name in self.grow_only & set(changed):
            new, old = news.get(name), olds.get(name)
            if not isinstance(new, int) or not isinstance(old, int) or new < old:
                found.append(name)
        return found

    def _api(self, api: CustomCloudClient, verb: str) -> Any:
        return getattr(api, f"{verb}_{self.kind}")

    def _args(self, props: dict[str, Any]) -> BaseModel:
        return parse(self.args_model, {k: v for k, v in self.inputs_of(props).items() if v is not None})

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        args = self._args(props)
        body = self.create_model.model_validate(args.model_dump(include=set(self.create_model.model_fields)))
        timeout = float(getattr(args, "create_timeout", 300.0))
        with self.client() as api:
            resource = create_idempotent(
                lambda key: self._api(api, "create")(body, idempotency_key=key),
                lambda found: self._api(api, "get")(found.id).status not in _GONE,
                scope=props.get("idempotency_scope"),
                body=body.model_dump(mode="json"),
            )
            if self.ready_status is not None:
                try:
                    resource = wait_for(
                        lambda: self._api(api, "get")(resource.id),
                        lambda r: r.status == self.ready_status,
                        what=f"{self.kind} {resource.id} to be {self.ready_status}",
                        timeout=timeout,
                        first=resource,  # the create's answer: the first request waits one delay
                    )
                except BaseException:
                    ignore_not_found(lambda: self._api(api, "delete")(resource.id))
                    raise
        return dyn.CreateResult(resource.id, self._outputs(props, resource))

    def read(self, id_: str, props: dict[str, Any]) -> dyn.ReadResult:
        with self.client() as api:
            try:
                resource = self._api(api, "get")(id_)
            except NotFound:
                return dyn.ReadResult("", {})
        if resource.status in _GONE:
            return dyn.ReadResult("", {})
        inputs = dict(self.inputs_of(props))
        inputs.update(resource.model_dump(mode="json", include=set(self.create_model.model_fields)))
        inputs = {k: v for k, v in inputs.items() if v is not None}
        return dyn.ReadResult(id_, self._outputs(inputs, resource), inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        args = self._args(news)
        changes = {
            name: getattr(args, name)
            for name in self.update_model.model_fields
            if hasattr(args, name) and olds.get(name) != news.get(name)
        }
        with self.client() as api:
            if changes:
                self._api(api, "update")(id_, self.update_model.model_validate(changes))
            resource = self._api(api, "get")(id_)
        return dyn.UpdateResult(self._outputs(news, resource))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        timeout = float(props.get("create_timeout") or 300.0)
        with self.client() as api:
            if not ignore_not_found(lambda: self._api(api, "delete")(id_)):
                return

            def status() -> str:
                try:
                    return str(self._api(api, "get")(id_).status)
                except NotFound:
                    return "gone"

            wait_for(
                status,
                lambda s: s in {"gone", "deleted"},
                what=f"{self.kind} {id_} deletion",
                timeout=timeout,
            )

    def _outputs(self, inputs: dict[str, Any], resource: BaseModel) -> dict[str, Any]:
        outs = {k: v for k, v in self.inputs_of(inputs).items() if v is not None}
        dumped = resource.model_dump(mode="json")
        outs.update({name: dumped.get(name) for name in self.output_fields})
        outs.update(
            {k: dumped[k] for k in self.create_model.model_fields if k in dumped and dumped[k] is not None}
        )
        return outs
