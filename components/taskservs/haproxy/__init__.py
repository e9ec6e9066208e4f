"""HAProxy: a TCP/HTTP load balancer from the OS package, run as the service `haproxy` on a server,
configured over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering (`render`) import
no Pulumi; `HAProxy` loads it when first used."""

from provisioning.sdk._lazy import names_on_first_use

from .spec import HAPROXY, Backend, HAProxyConfig, StatsSettings

__all__ = ["HAPROXY", "Backend", "HAProxy", "HAProxyConfig", "StatsSettings"]


__getattr__ = names_on_first_use(__name__, ["HAProxy"], ["component"])
