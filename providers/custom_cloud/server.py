"""The Custom Cloud Server provider: instances that boot, resize, restart when adopted, and can keep their
disk on delete (everything else is the generic resource provider's)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from provisioning.sdk.errors import NotFound
from provisioning.sdk.validation import Violation
from provisioning.sdk.waiters import Pace, wait_for

from .api.collections import INSTANCES, SUBNETS
from .api.models import InstancePublic, SubnetPublic
from .cost import calculate_server_cost
from .resource_provider import ApiResourceProvider
from .specs import SERVER

if TYPE_CHECKING:  # the HTTP client is built by the provider base where a call needs it
    from .client import CustomCloudClient

__all__ = ["ServerProvider"]

_log = logging.getLogger("provisioning.custom_cloud.server")


class ServerProvider(ApiResourceProvider):
    """CRUD of Custom Cloud instances."""

    declaration = SERVER
    collection = INSTANCES
    ready_status = "running"
    pace = Pace()
    computed_from = frozenset({"machine_type", "disk_size"})
    unique_within = ("zone",)

    def defaults(self, news: Mapping[str, Any]) -> dict[str, Any]:
        """The zone is checked against the provider's region when the server names none."""
        return {"region": self.configured_region()}

    def computed(self, args: Any) -> dict[str, Any]:
        return {"estimated_hourly_cost": calculate_server_cost(args.model_dump())}

    def remote_violations(self, args: Any) -> list[Violation]:
        """A server must be in its subnet's zone and network (decided at preview when the subnet exists)."""
        if args.subnet is None:
            return []
        subnet = _subnet(self, args.subnet)
        if subnet is None:
            return [Violation("subnet", args.subnet, f"subnet {args.subnet!r} does not exist")]
        found = []
        if subnet.zone != args.zone:
            rule = f"zone {args.zone!r} differs from the zone of subnet {subnet.id} ({subnet.zone!r})"
            found.append(Violation("zone", args.zone, rule + ": a server must be in its subnet's zone"))
        if args.vpc is not None and subnet.network_id != args.vpc:
            rule = f"vpc {args.vpc!r} is not the network of subnet {subnet.id} ({subnet.network_id!r})"
            found.append(Violation("vpc", args.vpc, rule))
        return found

    def revive(self, api: CustomCloudClient, resource: Any) -> Any:
        """A stopped server that is adopted is started."""
        return api.instance_action(resource.id, "start") if resource.status == "stopped" else resource

    def apply(self, api: CustomCloudClient, id_: str, changes: dict[str, Any], args: Any) -> None:
        """Labels and disk growth in one PATCH; a new machine type by stop, resize, start."""
        machine_type = changes.pop("machine_type", None)
        super().apply(api, id_, changes, args)
        if machine_type is not None:
            self._resize(api, id_, machine_type, self.timeout(args.model_dump()))

    def delete_params(self, props: Mapping[str, Any]) -> dict[str, str]:
        return {"keep_storage": str(bool(props.get("keep_storage"))).lower()}

    def outputs(self, inputs: Mapping[str, Any], resource: BaseModel) -> dict[str, Any]:
        outs = super().outputs(inputs, resource)
        assert isinstance(resource, InstancePublic)
        outs["estimated_hourly_cost"] = resource.hourly_cost
        return outs

    def _resize(self, api: CustomCloudClient, id_: str, machine_type: str, timeout: float) -> None:
        api.instance_action(id_, "stop")
        wait_for(
            lambda: api.get(INSTANCES, id_),
            lambda i: i.status == "stopped",
            what=f"instance {id_} to stop",
            timeout=timeout,
        )
        api.update(INSTANCES, id_, INSTANCES.update(machine_type=machine_type))
        api.instance_action(id_, "start")
        self.until_ready(api, id_, timeout)


_subnets: dict[str, SubnetPublic | None] = {}
"""Subnets looked up by `check` in this process (a subnet's zone and network never change in place)."""


def _subnet(provider: ServerProvider, subnet_id: str) -> SubnetPublic | None:
    if subnet_id not in _subnets:
        with provider.client() as api:
            try:
                _subnets[subnet_id] = api.get(SUBNETS, subnet_id)
            except NotFound:
                return None
    return _subnets[subnet_id]
