"""WebStack: a web application stack as one Pulumi component — network and six subnets, a database (with a
streaming replica), app servers running the web application, web servers and a load balancer running
HAProxy, and Prometheus — on Custom Cloud servers (`docs/clusters.md`). The declaration (`spec`) and the
instance type table import no Pulumi; `WebStack` loads it when first used."""

from provisioning.sdk._lazy import names_on_first_use

from .instance_types import INSTANCE_TYPES, machine_type
from .spec import WEB_STACK, WebStackConfig

__all__ = ["INSTANCE_TYPES", "WEB_STACK", "WebStack", "WebStackConfig", "machine_type"]


__getattr__ = names_on_first_use(__name__, ["WebStack"], ["component"])
