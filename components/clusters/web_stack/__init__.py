"""WebStack: a web application stack as one Pulumi component — network and six subnets, a database (with a
streaming replica), app servers running the web application, web servers and a load balancer running
HAProxy, and Prometheus — on Custom Cloud servers (`docs/clusters.md`). The declaration (`spec`) and the
instance type table import no Pulumi; `WebStack` loads it when first used."""

from typing import Any

from .instance_types import INSTANCE_TYPES, machine_type
from .spec import WEB_STACK, WebStackConfig

__all__ = ["INSTANCE_TYPES", "WEB_STACK", "WebStack", "WebStackConfig", "machine_type"]


def __getattr__(name: str) -> Any:
    if name == "WebStack":
        from .component import WebStack

        return WebStack
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
