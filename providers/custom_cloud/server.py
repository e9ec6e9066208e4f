"""The Custom Cloud Server: a dynamic resource that creates, awaits, updates and deletes instances."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import pulumi
import pulumi.dynamic as dyn
from provisioning.sdk.dynamic import DynamicResource
from provisioning.sdk.errors import Conflict, NotFound, ProvisioningError
from provisioning.sdk.ownership import OWNER_LABEL, owner_of, with_owner, without_owner
from provisioning.sdk.validation import Violation, parse
from provisioning.sdk.waiters import NO_FIRST_ANSWER, Pace, wait_for
from pydantic import BaseModel

from .api import catalog
from ._provider import CustomCloudProvider, create_idempotent, ignore_not_found
from .api.models import InstanceCreate, InstancePublic, InstanceUpdate
from .client import CustomCloudClient
from .cost import calculate_server_cost
from .schemas import CustomCloudServer

__all__ = ["Server", "ServerArgs", "ServerProvider"]

_log = logging.getLogger("provisioning.custom_cloud.server")

_API_FIELDS = (
    "name", "machine_type", "zone", "disk_size", "disk_type", "vpc", "subnet",
    "external_ip", "preemptible", "labels", "ssh_public_key", "user_data",
)  # fmt: skip
_GONE = {"deleting", "deleted"}
_FIXED = ("disk_type", "vpc", "subnet", "external_ip", "preemptible", "ssh_public_key", "user_data")
"""Create fields that cannot change in place: an adopted server that differs in one is made anew."""
_BOOTS = Pace()
"""How long creates took to reach `running` in this process (a fleet's later waits poll right then)."""


class ServerProvider(CustomCloudProvider):
    """CRUD of Custom Cloud instances."""

    args_model = CustomCloudServer
    replace_fields = frozenset(
        {"name", "zone", "disk_type", "vpc", "subnet", "external_ip", "preemptible", "ssh_public_key",
         "user_data"}
    )  # fmt: skip
    computed_fields = frozenset({"estimated_hourly_cost", "idempotency_scope"})
    check_only_fields = frozenset({"region"})
    computed_from = frozenset({"machine_type", "disk_size"})

    # -- check / diff ---------------------------------------------------------------------------------

    def extra_violations(self, args: BaseModel) -> list[Violation]:
        assert isinstance(args, CustomCloudServer)
        region = args.region or self._default_region()
        if region in catalog.REGIONS and args.zone[:-1] != region:
            return [Violation("zone", args.zone, f"zone {args.zone!r} is not in region {region!r}")]
        return []

    def _default_region(self) -> str:
        try:
            return self.config().region
        except ProvisioningError:
            return "us-west-1"

    def computed(self, args: BaseModel) -> dict[str, Any]:
        assert isinstance(args, CustomCloudServer)
        return {"estimated_hourly_cost": calculate_server_cost(args.model_dump())}

    def replaces(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: list[str]) -> list[str]:
        found = super().replaces(olds, news, changed)
        if "disk_size" in changed:
            new, old = news.get("disk_size"), olds.get("disk_size")
            if not isinstance(new, int) or not isinstance(old, int) or new < old:
                found.append("disk_size")
        return found

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        # Names are unique per zone: a replacement keeping both must delete the old server first.
        return olds.get("name") == news.get("name") and olds.get("zone") == news.get("zone")

    # -- create / read / update / delete -----------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        args = parse(CustomCloudServer, {k: v for k, v in self.inputs_of(props).items() if v is not None})
        owner = owner_of(props)
        fields_ = {k: getattr(args, k) for k in _API_FIELDS if getattr(args, k) is not None}
        fields_["labels"] = with_owner(args.labels, owner)
        body = InstanceCreate.model_validate(fields_)
        started = time.monotonic()
        _log.info("create %s: start", args.name)
        with self.client() as api:
            adopted = False
            try:
                instance = self._post(api, body, props)
            except Conflict as exc:
                if exc.field != "name":
                    raise
                instance, adopted = self._adopt(api, body, owner, props, exc)
            try:
                instance = self._wait_running(api, instance.id, args.create_timeout, first=instance)
                if adopted:  # only then: a plain create must not undo what a newer run set
                    instance = self._converge(api, instance, body, args.create_timeout)
            except BaseException:
                _log.warning(
                    "create of %s failed after the API accepted it: deleting %s", args.name, instance.id
                )
                self._delete_quietly(api, instance.id, args.create_timeout)
                raise
        _log.info("create %s: %s running after %.3fs", args.name, instance.id, time.monotonic() - started)
        return dyn.CreateResult(instance.id, self._outputs(props, instance))

    def _post(self, api: CustomCloudClient, body: InstanceCreate, props: dict[str, Any]) -> InstancePublic:
        instance: InstancePublic = create_idempotent(
            lambda key: api.create_instance(body, idempotency_key=key),
            lambda found: api.get_instance(found.id).status not in _GONE,
            scope=props.get("idempotency_scope"),
            body=body.model_dump(mode="json"),
        )
        return instance

    def _adopt(
        self,
        api: CustomCloudClient,
        body: InstanceCreate,
        owner: str | None,
        props: dict[str, Any],
        conflict: Conflict,
    ) -> tuple[InstancePublic, bool]:
        """The name is taken: adopt the server if its ownership label proves it is this resource's (made by
        an interrupted run whose key no longer matches); else raise the conflict naming field and value.
        Returns the server and whether it was adopted (False: made anew)."""
        found = [
            i for i in api.list_instances(name=body.name) if i.zone == body.zone and i.status != "deleted"
        ]
        mine = [i for i in found if owner and i.labels.get(OWNER_LABEL) == owner]
        if not mine:
            holder = f" by {found[0].id}" if found else ""
            raise Conflict(
                method=conflict.method,
                path=conflict.path,
                status=conflict.status,
                code=conflict.code,
                message=(
                    f"name {body.name!r} is taken in zone {body.zone}{holder}, and that server was not made "
                    f"by this resource (no matching {OWNER_LABEL} label): delete or rename it"
                ),
                details={"field": "name", "value": body.name},
            )
        instance = mine[0]
        timeout = float(props.get("create_timeout") or 300.0)
        fixed = [
            k for k in _FIXED if getattr(body, k) is not None and getattr(body, k) != getattr(instance, k)
        ]
        if instance.disk_size > body.disk_size:
            fixed.append("disk_size")
        if instance.status in _GONE or fixed:
            _log.info(
                "create %s: %s is ours but %s: making it anew",
                body.name,
                instance.id,
                f"differs in {', '.join(fixed)}" if fixed else instance.status,
            )
            if instance.status not in _GONE:
                ignore_not_found(lambda: api.delete_instance(instance.id))
            self._wait_gone(api, instance.id, timeout)
            return self._post(api, body, props), False
        _log.info("create %s: adopted %s (ownership label matches)", body.name, instance.id)
        if instance.status == "stopped":
            instance = api.instance_action(instance.id, "start")
        return instance, True

    def _converge(
        self, api: CustomCloudClient, instance: InstancePublic, body: InstanceCreate, timeout: float
    ) -> InstancePublic:
        """Bring an adopted (running) server to the desired labels, disk size and machine type."""
        patch = InstanceUpdate()
        if instance.labels != body.labels:
            patch.labels = body.labels
        if instance.disk_size < body.disk_size:
            patch.disk_size = body.disk_size
        if not patch.model_dump(exclude_none=True) and instance.machine_type == body.machine_type:
            return instance
        if patch.model_dump(exclude_none=True):
            api.update_instance(instance.id, patch)
        if instance.machine_type != body.machine_type:
            self._resize(api, instance.id, body.machine_type, timeout)
        return api.get_instance(instance.id)

    def read(self, id_: str, props: dict[str, Any]) -> dyn.ReadResult:
        with self.client() as api:
            try:
                instance = api.get_instance(id_)
            except NotFound:
                return dyn.ReadResult("", {})
        if instance.status in _GONE:
            return dyn.ReadResult("", {})
        inputs = self._inputs_from(props, instance)
        return dyn.ReadResult(id_, self._outputs(inputs, instance), inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.UpdateResult:
        args = parse(CustomCloudServer, {k: v for k, v in self.inputs_of(news).items() if v is not None})
        with self.client() as api:
            patch = InstanceUpdate()
            if without_owner(olds.get("labels")) != args.labels:
                owner = api.get_instance(id_).labels.get(OWNER_LABEL)  # kept on every label change
                patch.labels = with_owner(args.labels, owner)
            if args.disk_size != olds.get("disk_size"):
                patch.disk_size = args.disk_size
            if patch.model_dump(exclude_none=True):
                api.update_instance(id_, patch)
            if args.machine_type != olds.get("machine_type"):
                self._resize(api, id_, args.machine_type, args.create_timeout)
            instance = api.get_instance(id_)
        return dyn.UpdateResult(self._outputs(news, instance))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        timeout = float(props.get("create_timeout") or 300)
        with self.client() as api:
            if ignore_not_found(
                lambda: api.delete_instance(id_, keep_storage=bool(props.get("keep_storage")))
            ):
                self._wait_gone(api, id_, timeout)

    # -- helpers ------------------------------------------------------------------------------------------

    def _wait_running(
        self, api: CustomCloudClient, id_: str, timeout: float, *, first: InstancePublic | None = None
    ) -> InstancePublic:
        """Poll until `running`; `first` (the create's answer) saves the first request."""
        return wait_for(
            lambda: api.get_instance(id_),
            lambda i: i.status == "running",
            failed=lambda i: f"instance is {i.status}" if i.status in _GONE else None,
            what=f"instance {id_} to be running",
            timeout=timeout,
            pace=_BOOTS if first is not None else None,  # only creates: not restarts after a resize
            first=first if first is not None and first.id == id_ else NO_FIRST_ANSWER,
        )

    def _wait_gone(self, api: CustomCloudClient, id_: str, timeout: float) -> None:
        def fetch() -> str:
            try:
                return api.get_instance(id_).status
            except NotFound:
                return "gone"

        wait_for(
            fetch,
            lambda status: status in {"gone", "deleted"},
            what=f"instance {id_} deletion",
            timeout=timeout,
        )

    def _delete_quietly(self, api: CustomCloudClient, id_: str, timeout: float) -> None:
        try:
            if ignore_not_found(lambda: api.delete_instance(id_)):
                self._wait_gone(api, id_, min(timeout, 60.0))
        except Exception:  # the original error matters more; the log keeps this one
            _log.exception("cleanup of %s failed", id_)

    def _resize(self, api: CustomCloudClient, id_: str, machine_type: str, timeout: float) -> None:
        api.instance_action(id_, "stop")
        wait_for(
            lambda: api.get_instance(id_),
            lambda i: i.status == "stopped",
            what=f"instance {id_} to stop",
            timeout=timeout,
        )
        api.update_instance(id_, InstanceUpdate(machine_type=machine_type))  # type: ignore[arg-type]
        api.instance_action(id_, "start")
        self._wait_running(api, id_, timeout)

    def _inputs_from(self, props: dict[str, Any], instance: InstancePublic) -> dict[str, Any]:
        inputs = {k: v for k, v in self.inputs_of(props).items()}
        inputs.update(instance.model_dump(mode="json", include=set(_API_FIELDS)))
        inputs["labels"] = without_owner(instance.labels)
        for name, info in CustomCloudServer.model_fields.items():
            if name not in inputs and not info.is_required() and name not in self.computed_fields:
                inputs[name] = info.get_default(call_default_factory=True)
        inputs["estimated_hourly_cost"] = calculate_server_cost(inputs)
        return {k: v for k, v in inputs.items() if v is not None}

    def _outputs(self, inputs: dict[str, Any], instance: InstancePublic) -> dict[str, Any]:
        outs = {k: v for k, v in self.inputs_of(inputs).items() if v is not None}
        outs.update(
            status=instance.status,
            region=instance.region,
            private_ip=instance.private_ip,
            public_ip=instance.public_ip,
            created_at=instance.created_at.isoformat(),
            estimated_hourly_cost=instance.hourly_cost,
            labels=without_owner(instance.labels),
            disk_size=instance.disk_size,
            machine_type=instance.machine_type,
        )
        if instance.ssh_host:
            outs.update(
                ssh_host=instance.ssh_host,
                ssh_port=instance.ssh_port,
                ssh_host_key_fingerprints=list(instance.ssh_host_key_fingerprints),
            )
        return outs


@dataclass(kw_only=True)
class ServerArgs:
    """Arguments of a Server (the seed's CustomCloudServer); validated by the provider's `check`."""

    machine_type: pulumi.Input[str]
    """Catalog machine type (`micro` … `xlarge`)."""
    zone: pulumi.Input[str]
    """Catalog zone, inside `region`."""
    name: pulumi.Input[str] | None = None
    """Server name (default: the resource name)."""
    disk_size: pulumi.Input[int] = 20
    """Boot disk size in GB (≥ 10)."""
    disk_type: pulumi.Input[str] = "ssd"
    """`ssd` or `hdd`."""
    vpc: pulumi.Input[str] | None = None
    """Network id."""
    subnet: pulumi.Input[str] | None = None
    """Subnet id."""
    external_ip: pulumi.Input[bool] = True
    """Allocate a public IP."""
    preemptible: pulumi.Input[bool] = False
    """Preemptible instance."""
    labels: pulumi.Input[dict[str, str]] = field(default_factory=dict)
    """Free-form labels (updated in place)."""
    region: pulumi.Input[str] | None = None
    """Region the zone must be in (default: `custom-cloud:region`)."""
    ssh_public_key: pulumi.Input[str] | None = None
    """OpenSSH public key for the default user."""
    user_data: pulumi.Input[str] | None = None
    """Startup script or cloud-init data."""
    create_timeout: pulumi.Input[float] = 300.0
    """Seconds to wait for `running` before failing (the server is deleted then)."""
    keep_storage: pulumi.Input[bool] = False
    """Keep the disk as a volume when the server is deleted."""


def _scope(resource_type: str, name: str) -> str:
    return f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_type}/{name}"


class Server(DynamicResource, module="custom-cloud", name="Server"):
    """A Custom Cloud server.

    >>> web = Server("web", machine_type="small", zone="us-west-1a", labels={"tier": "web"})  # doctest: +SKIP
    """

    provider_type = ServerProvider

    output_names = (
        "status", "region", "private_ip", "public_ip", "created_at", "estimated_hourly_cost",
        "ssh_host", "ssh_port", "ssh_host_key_fingerprints",
    )  # fmt: skip

    name: pulumi.Output[str]
    """Server name."""
    machine_type: pulumi.Output[str]
    """Machine type."""
    zone: pulumi.Output[str]
    """Zone."""
    disk_size: pulumi.Output[int]
    """Disk size in GB."""
    labels: pulumi.Output[dict[str, str]]
    """Labels."""
    status: pulumi.Output[str]
    """Lifecycle status (`running` after create)."""
    region: pulumi.Output[str]
    """Region of the zone."""
    private_ip: pulumi.Output[str]
    """Private IPv4 address."""
    public_ip: pulumi.Output[str | None]
    """Public IPv4 address (none without `external_ip`)."""
    created_at: pulumi.Output[str]
    """Creation time (RFC 3339)."""
    estimated_hourly_cost: pulumi.Output[float]
    """USD per hour (known at preview)."""
    ssh_host: pulumi.Output[str | None]
    """SSH host (sandbox hosts only)."""
    ssh_port: pulumi.Output[int | None]
    """SSH port (sandbox hosts only)."""
    ssh_host_key_fingerprints: pulumi.Output[list[str] | None]
    """SSH host key fingerprints (sandbox hosts only)."""

    def __init__(
        self,
        resource_name: str,
        args: ServerArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        args = args if args is not None else ServerArgs(**kwargs)
        values = {f.name: getattr(args, f.name) for f in fields(args)}
        if values.get("name") is None:
            values["name"] = resource_name
        values["idempotency_scope"] = _scope("custom-cloud:Server", resource_name)
        super().__init__(ServerProvider(), resource_name, values, opts)
