"""HAProxy: a TCP/HTTP load balancer from the OS package, run as the service `haproxy` on a server,
configured over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering (`render`) import
no Pulumi; `HAProxy` loads it when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .spec import (
    HAPROXY as HAPROXY,
    Backend as Backend,
    HAProxyConfig as HAProxyConfig,
    StatsSettings as StatsSettings,
)

if TYPE_CHECKING:
    from .component import HAProxy as HAProxy

__all__, __getattr__ = exports_on_first_use(__name__)
