"""WebStack: a web application stack as one Pulumi component — network and six subnets, a database (with a
streaming replica), app servers running the web application, web servers and a load balancer running
HAProxy, and Prometheus — on Custom Cloud servers (`docs/clusters.md`). The declaration (`spec`) and the
instance type table import no Pulumi; `WebStack` loads it when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .instance_types import (
    INSTANCE_TYPES as INSTANCE_TYPES,
    machine_type as machine_type,
)
from .spec import (
    WEB_STACK as WEB_STACK,
    WebStackConfig as WebStackConfig,
)

if TYPE_CHECKING:
    from .component import WebStack as WebStack

__all__, __getattr__ = exports_on_first_use(__name__)
