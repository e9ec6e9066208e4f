"""The cluster base: a Pulumi component that composes servers and task services into one application stack,
with its config checked at preview against its registered declaration, host-name discovery between its
servers and the standard outputs (endpoints, components, status, healthy, costs); see docs/clusters.md.

The config side (`ClusterSettings`, the field markers `Fixed` and `Costly`, `hosts_block`, `hosts_script`)
imports no Pulumi; `Cluster`, `Member`, `Built` and `host_names` load Pulumi when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .hosts import hosts_block as hosts_block, hosts_script as hosts_script
from .settings import ClusterSettings as ClusterSettings, Costly as Costly, Fixed as Fixed

if TYPE_CHECKING:
    from .component import Built as Built, Cluster as Cluster, Member as Member
    from .hosts import host_names as host_names

__all__, __getattr__ = exports_on_first_use(__name__)
