"""HAProxy: a TCP/HTTP load balancer from the OS package, run as the service `haproxy` on a server,
configured over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering (`render`) import
no Pulumi; `HAProxy` loads it when first used."""

from typing import Any

from .spec import HAPROXY, Backend, HAProxyConfig, StatsSettings

__all__ = ["HAPROXY", "Backend", "HAProxy", "HAProxyConfig", "StatsSettings"]


def __getattr__(name: str) -> Any:
    if name == "HAProxy":
        from .component import HAProxy

        return HAProxy
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
