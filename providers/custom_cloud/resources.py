"""The Custom Cloud resources as Pulumi programs use them: Server, Network, Subnet, LoadBalancer, Volume and
VolumeAttachment.

Re-exported by the package (see its `__all__`). Their arguments, outputs and checks come from the
declarations in `specs.py`; `resources.pyi`, generated from the same declarations by
`python -m provisioning.sdk.stubgen`, gives type checkers their signatures.

>>> web = Server("web", machine_type="small", zone="us-west-1a", labels={"tier": "web"})  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from provisioning.sdk.dynamic import DynamicResource
from provisioning.sdk.registry import Declaration
from provisioning.sdk.stubgen import args_type

from .attachment import VolumeAttachmentProvider
from .resource_provider import LoadBalancerProvider, NetworkProvider, SubnetProvider, VolumeProvider
from .server import ServerProvider
from .specs import LOAD_BALANCER, NETWORK, SERVER, SUBNET, VOLUME, VOLUME_ATTACHMENT


class Server(DynamicResource, provider=ServerProvider):
    """A Custom Cloud server (`custom-cloud:Server`)."""


class Network(DynamicResource, provider=NetworkProvider):
    """A Custom Cloud network (`custom-cloud:Network`)."""


class Subnet(DynamicResource, provider=SubnetProvider):
    """A Custom Cloud subnet (`custom-cloud:Subnet`)."""


class LoadBalancer(DynamicResource, provider=LoadBalancerProvider):
    """A Custom Cloud load balancer (`custom-cloud:LoadBalancer`)."""


class Volume(DynamicResource, provider=VolumeProvider):
    """A Custom Cloud volume (`custom-cloud:Volume`)."""


class VolumeAttachment(DynamicResource, provider=VolumeAttachmentProvider):
    """A volume attached to a server of its zone (`custom-cloud:VolumeAttachment`).

    When `volume_id` and `server_id` come from a Volume and a Server of the program, their zones are
    compared at preview, before either id is known."""

    def __init__(
        self,
        resource_name: str,
        args: Mapping[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        values = {**(args or {}), **kwargs}
        self._zones = {
            "volume_zone": _zone_behind(values.get("volume_id"), VOLUME),
            "server_zone": _zone_behind(values.get("server_id"), SERVER),
        }
        super().__init__(resource_name, args, opts, **kwargs)

    def internal_inputs(self, resource_name: str) -> dict[str, Any]:
        return {**super().internal_inputs(resource_name), **self._zones}


def _zone_behind(value: Any, declaration: Declaration) -> pulumi.Output[Any] | None:
    """The `zone` of the resource of `declaration` that `value` comes from (`volume.id`), if it is one."""
    if not isinstance(value, pulumi.Output):
        return None
    output: pulumi.Output[Any] = value

    async def source() -> Any:
        for resource in await output.resources():
            if isinstance(resource, DynamicResource) and resource.declaration is declaration:
                return resource
        return None

    return pulumi.Output.from_input(source()).apply(lambda found: None if found is None else found.zone)


ServerArgs = args_type(SERVER)
NetworkArgs = args_type(NETWORK)
SubnetArgs = args_type(SUBNET)
LoadBalancerArgs = args_type(LOAD_BALANCER)
VolumeArgs = args_type(VOLUME)
VolumeAttachmentArgs = args_type(VOLUME_ATTACHMENT)
