"""The provider of every Custom Cloud resource: create (idempotent, awaited, cleaned up on failure), read,
update in place and delete (awaited), all derived from the resource's declaration and API collection.

The Server provider adds booting, resizing and keep-storage on top (`server.py`)."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import pulumi.dynamic as dyn
from pydantic import BaseModel

from provisioning.sdk.errors import Conflict, NotFound, ProvisioningError
from provisioning.sdk.fields import GROW_ONLY, IN_PLACE, INTERNAL, fields_with, replace_fields
from provisioning.sdk.ownership import OWNER_LABEL, owner_of, with_owner, without_owner
from provisioning.sdk.unknowns import contains_unknown
from provisioning.sdk.waiters import NO_FIRST_ANSWER, Pace, wait_for

from ._provider import CustomCloudProvider, create_idempotent, ignore_not_found
from .api import catalog
from .api.collections import LOAD_BALANCERS, NETWORKS, SUBNETS, VOLUMES, Collection
from .specs import DEFAULT_CREATE_TIMEOUT, LOAD_BALANCER, NETWORK, SUBNET, VOLUME

if TYPE_CHECKING:  # the HTTP client is built by the provider base where a call needs it
    from .client import CustomCloudClient

__all__ = [
    "GONE",
    "ApiResourceProvider",
    "LoadBalancerProvider",
    "NetworkProvider",
    "SubnetProvider",
    "VolumeProvider",
]

GONE = frozenset({"deleting", "deleted"})
"""Statuses of a resource on its way out."""
CLEANUP_TIMEOUT = 60.0
"""Seconds a failed create waits for what it made to be deleted."""

_log = logging.getLogger("provisioning.custom_cloud")


class ApiResourceProvider(CustomCloudProvider):
    """CRUD of one API collection; subclasses set `declaration`, `collection` and, if any, `ready_status`."""

    collection: ClassVar[Collection[Any]]
    """The API collection the resource lives in."""
    ready_status: ClassVar[str | None] = None
    """Status a create waits for (None: ready as soon as the API answers)."""
    pace: ClassVar[Pace | None] = None
    """How long creates took to be ready in this process (later waits poll right then), if tracked."""

    # -- create ---------------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        args = self.parse(props)
        body = self.body(args, props)
        timeout = self.timeout(props)
        with self.client() as api:
            try:
                resource, adopted = self.post(api, body, props), False
            except Conflict as exc:  # the name (or, for a subnet, the range) is taken: perhaps by us
                resource, adopted = self.adopt(api, body, props, exc)
            try:
                resource = self.until_ready(api, resource.id, timeout, first=resource)
                if adopted:  # only then: a plain create must not undo what a newer run set
                    resource = self.converge(api, resource, body, args)
            except BaseException:
                _log.warning("create of %s failed after the API accepted it: deleting it", resource.id)
                self.delete_quietly(api, resource.id, timeout)
                raise
        return dyn.CreateResult(resource.id, self.outputs(props, resource))

    def body(self, args: Any, props: Mapping[str, Any]) -> BaseModel:
        """The create request: the declared fields the API takes, labels stamped with the owner."""
        fields = self.collection.create.model_fields
        data = {k: v for k, v in args.model_dump().items() if k in fields and v is not None}
        if "labels" in fields:
            data["labels"] = with_owner(data.get("labels"), owner_of(props))
        return self.collection.create.model_validate(data)

    def post(self, api: CustomCloudClient, body: BaseModel, props: Mapping[str, Any]) -> Any:
        """POST with an idempotency key from the resource's scope: a retry finds, never duplicates."""
        return create_idempotent(
            lambda key: api.create(self.collection, body, idempotency_key=key),
            lambda found: api.get(self.collection, found.id).status not in GONE,
            scope=props.get("idempotency_scope"),
            body=body.model_dump(mode="json"),
        )

    def adopt(
        self, api: CustomCloudClient, body: BaseModel, props: Mapping[str, Any], conflict: Conflict
    ) -> tuple[Any, bool]:
        """A create met a conflict: adopt the resource of this name if its ownership label proves it is this
        one's (made by an interrupted run whose key no longer matches); else raise the conflict, naming
        field, value and holder when it was the name. Returns the resource and whether it was adopted
        (False: made anew)."""
        name, owner = str(getattr(body, "name")), owner_of(props)  # noqa: B009 (every create body has one)
        scope = self.unique_within or ()
        found = [
            r
            for r in api.find(self.collection, name=name)
            if r.status != "deleted" and all(getattr(r, k) == getattr(body, k) for k in scope)
        ]
        mine = [r for r in found if owner and r.labels.get(OWNER_LABEL) == owner]
        if not mine and conflict.field != "name":
            raise conflict
        if not mine:
            holder = f" by {found[0].id}" if found else ""
            where = "".join(f" in {k} {getattr(body, k)}" for k in scope)
            raise conflict.explained(
                f"name {name!r} is taken{where}{holder}, and that {self.collection.noun} was not made by "
                f"this resource (no matching {OWNER_LABEL} label): delete or rename it",
                field="name",
                value=name,
            )
        resource, differs = mine[0], self.fixed_differences(body, mine[0])
        if resource.status in GONE or differs:
            why = f"differs in {', '.join(differs)}" if differs else resource.status
            _log.info("create %s: %s is ours but %s: making it anew", name, resource.id, why)
            if resource.status not in GONE:
                ignore_not_found(lambda: api.remove(self.collection, resource.id))
            self.until_gone(api, resource.id, self.timeout(props))
            return self.post(api, body, props), False
        _log.info("create %s: adopted %s (ownership label matches)", name, resource.id)
        return self.revive(api, resource), True

    def fixed_differences(self, body: BaseModel, resource: BaseModel) -> list[str]:
        """Fields in which `resource` differs from `body` and cannot be changed in place."""
        fields = set(self.collection.create.model_fields)
        differs = [
            k
            for k in sorted(replace_fields(self.args_model) & fields)
            if getattr(body, k) is not None and getattr(body, k) != getattr(resource, k)
        ]
        for k in fields_with(self.args_model, GROW_ONLY):
            if getattr(resource, k) > getattr(body, k):
                differs.append(k)
        return differs

    def revive(self, api: CustomCloudClient, resource: Any) -> Any:
        """Bring an adopted resource back to life if it needs it (a stopped server is started)."""
        return resource

    def converge(self, api: CustomCloudClient, resource: Any, body: BaseModel, args: Any) -> Any:
        """Bring an adopted resource to the declared in-place fields."""
        in_place = set(fields_with(self.args_model, IN_PLACE)) & set(self.collection.create.model_fields)
        changes = {k: getattr(body, k) for k in sorted(in_place) if getattr(body, k) != getattr(resource, k)}
        if not changes:
            return resource
        self.apply(api, resource.id, changes, args)
        return api.get(self.collection, resource.id)

    def until_ready(self, api: CustomCloudClient, id_: str, timeout: float, *, first: Any = None) -> Any:
        """Poll until `ready_status` (`first`, the create's answer, saves the first request)."""
        if self.ready_status is None:
            return first if first is not None else api.get(self.collection, id_)
        return wait_for(
            lambda: api.get(self.collection, id_),
            lambda r: r.status == self.ready_status,
            failed=lambda r: f"{self.collection.noun} is {r.status}" if r.status in GONE else None,
            what=f"{self.collection.noun} {id_} to be {self.ready_status}",
            timeout=timeout,
            pace=self.pace if first is not None else None,  # only creates: not restarts after a resize
            first=first if first is not None else NO_FIRST_ANSWER,
        )

    # -- read / update ----------------------------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> dyn.ReadResult:
        with self.client() as api:
            try:
                resource = api.get(self.collection, id_)
            except NotFound:
                return dyn.ReadResult("", {})
        if resource.status in GONE:
            return dyn.ReadResult("", {})
        inputs = self.inputs_from(props, resource)
        return dyn.ReadResult(id_, self.outputs(inputs, resource), inputs)

    def inputs_from(self, props: Mapping[str, Any], resource: BaseModel) -> dict[str, Any]:
        """The inputs as the cloud has them: declared options from `props` (or their defaults), the API's
        fields from `resource`."""
        inputs = self.inputs_of(props)
        inputs.update(resource.model_dump(mode="json", include=set(self.collection.create.model_fields)))
        if "labels" in inputs:
            inputs["labels"] = without_owner(inputs["labels"])
        for name, info in self.args_model.model_fields.items():
            if name not in inputs and not info.is_required():
                inputs[name] = info.get_default(call_default_factory=True)
        inputs.update(self.computed(self.parse(inputs)))
        return {k: v for k, v in inputs.items() if v is not None}

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        args = self.parse(news)
        changes = {
            name: getattr(args, name)
            for name in fields_with(self.args_model, IN_PLACE)
            if olds.get(name) != news.get(name)
        }
        with self.client() as api:
            if "labels" in changes:  # the ownership label stays on every label change
                owner = api.get(self.collection, id_).labels.get(OWNER_LABEL)
                changes["labels"] = with_owner(changes["labels"], owner)
            self.apply(api, id_, changes, args)
            resource = api.get(self.collection, id_)
        return dyn.UpdateResult(self.outputs(news, resource))

    def apply(self, api: CustomCloudClient, id_: str, changes: dict[str, Any], args: Any) -> None:
        """Make the in-place `changes` (one PATCH)."""
        if changes:
            api.update(self.collection, id_, self.collection.update.model_validate(changes))

    # -- delete ---------------------------------------------------------------------------------------------

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.client() as api:
            if ignore_not_found(lambda: api.remove(self.collection, id_, **self.delete_params(props))):
                self.until_gone(api, id_, self.timeout(props))

    def delete_params(self, props: Mapping[str, Any]) -> dict[str, str]:
        """Query parameters of the DELETE."""
        return {}

    def until_gone(self, api: CustomCloudClient, id_: str, timeout: float) -> None:
        """Poll until the resource is deleted (or unknown to the API)."""

        def status() -> str:
            try:
                return str(api.get(self.collection, id_).status)
            except NotFound:
                return "gone"

        wait_for(
            status,
            lambda s: s in {"gone", "deleted"},
            what=f"{self.collection.noun} {id_} deletion",
            timeout=timeout,
        )

    def delete_quietly(self, api: CustomCloudClient, id_: str, timeout: float) -> None:
        """Delete what a failed create made; log (never raise) a failure: the original error matters more."""
        try:
            if ignore_not_found(lambda: api.remove(self.collection, id_)):
                self.until_gone(api, id_, min(timeout, CLEANUP_TIMEOUT))
        except Exception:
            _log.exception("cleanup of %s failed", id_)

    # -- helpers ------------------------------------------------------------------------------------------

    def timeout(self, props: Mapping[str, Any]) -> float:
        """The resource's `create_timeout` (also bounds deletes), or the default."""
        return float(props.get("create_timeout") or DEFAULT_CREATE_TIMEOUT)

    def live_outputs(self, olds: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The resource as the API lists it now, found by its recorded name (and the fields that name is
        unique within), as outputs; None when it is not found or the API does not answer."""
        keys = ("name", *(self.unique_within or ()))
        try:
            with self.client() as api:
                found = [
                    r
                    for r in api.find(self.collection, name=str(olds.get("name")))
                    if r.status not in GONE and all(getattr(r, k, None) == olds.get(k) for k in keys)
                ]
        except ProvisioningError as exc:
            _log.info("outputs of %s not known at preview: %s", olds.get("name"), exc)
            return None
        return self.outputs(olds, found[0]) if len(found) == 1 else None

    def outputs(self, inputs: Mapping[str, Any], resource: BaseModel) -> dict[str, Any]:
        """Declared inputs (not internal ones), then the API's view of its fields and the declared outputs.
        Values that are None, and outputs that are empty lists, are not stored (state stays small)."""
        internal = set(fields_with(self.args_model, INTERNAL))
        outs = {k: v for k, v in self.inputs_of(inputs).items() if v is not None and k not in internal}
        dumped = resource.model_dump(mode="json")
        outs.update({k: dumped[k] for k in self.collection.create.model_fields if dumped.get(k) is not None})
        outs.update({k: dumped[k] for k in self.declaration.output_names if dumped.get(k) not in (None, [])})
        if "labels" in outs:
            outs["labels"] = without_owner(outs["labels"])
        return outs


class NetworkProvider(ApiResourceProvider):
    """Networks: labels change in place, the rest replaces; names are unique per project."""

    declaration = NETWORK
    collection = NETWORKS
    unique_within = ()


class SubnetProvider(ApiResourceProvider):
    """Subnets: labels change in place, the rest replaces; names are unique per network, and so are ranges
    (siblings never overlap)."""

    declaration = SUBNET
    collection = SUBNETS
    unique_within = ("network_id",)

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        """Also when the replacement stays in the network with a range that overlaps the old one (a
        renamed subnet keeps its range): the API refuses two overlapping siblings."""
        if super().delete_before_replace(olds, news):
            return True
        old, new = olds.get("cidr"), news.get("cidr")
        return (
            olds.get("network_id") == news.get("network_id")
            and isinstance(old, str)
            and isinstance(new, str)
            and not contains_unknown(new)
            and ipaddress.IPv4Network(old).overlaps(ipaddress.IPv4Network(new))
        )


class LoadBalancerProvider(ApiResourceProvider):
    """Load balancers: listeners, targets, health check and labels in place; a create waits for `active`."""

    declaration = LOAD_BALANCER
    collection = LOAD_BALANCERS
    ready_status = "active"
    unique_within = ("region",)

    def defaults(self, news: Mapping[str, Any]) -> dict[str, Any]:
        """A load balancer without a region is in the provider's."""
        return {"region": self.configured_region()}


class VolumeProvider(ApiResourceProvider):
    """Volumes: size grows in place (shrinking replaces), labels in place; names are unique per zone."""

    declaration = VOLUME
    collection = VOLUMES
    unique_within = ("zone",)
    computed_from = frozenset({"size"})

    def computed(self, args: Any) -> dict[str, Any]:
        return {"estimated_hourly_cost": round(args.size * catalog.STORAGE_GB_HOUR, 6)}

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Detach the volume first if it is still attached (an attachment made outside the stack, or one
        whose removal the engine already recorded), then delete it."""
        with self.client() as api:
            try:
                holder = api.get(VOLUMES, id_).attached_to
                if holder:
                    _log.info("delete %s: detaching it from %s first", id_, holder)
                    api.detach_volume(id_)
            except NotFound:
                return
        super().delete(id_, props)
