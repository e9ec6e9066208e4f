"""The Custom Cloud resources as Pulumi programs use them: Server, Network, Subnet, LoadBalancer, Volume and
VolumeAttachment.

Re-exported by the package (see its `__all__`). Their arguments, outputs and checks come from the
declarations in `specs.py`; `resources.pyi`, generated from the same declarations by
`python -m provisioning.sdk.stubgen`, gives type checkers their signatures.

>>> web = Server("web", machine_type="small", zone="us-west-1a", labels={"tier": "web"})  # doctest: +SKIP
"""

from __future__ import annotations

from provisioning.sdk.dynamic import DynamicResource
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


ServerArgs = args_type(SERVER)
NetworkArgs = args_type(NETWORK)
SubnetArgs = args_type(SUBNET)
LoadBalancerArgs = args_type(LOAD_BALANCER)
VolumeArgs = args_type(VOLUME)
VolumeAttachmentArgs = args_type(VOLUME_ATTACHMENT)
