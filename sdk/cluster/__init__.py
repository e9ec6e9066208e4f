"""The cluster base: a Pulumi component that composes servers and task services into one application stack,
with its config checked at preview against its registered declaration, host-name discovery between its
servers and the standard outputs (endpoints, components, status, healthy, costs); see docs/clusters.md.

The config side (`ClusterSettings`, the field markers `Fixed` and `Costly`, `hosts_block`, `hosts_script`)
imports no Pulumi; `Cluster`, `Member`, `Built` and `host_names` load Pulumi when first used."""

from .._lazy import names_on_first_use
from .hosts import hosts_block, hosts_script
from .settings import ClusterSettings, Costly, Fixed

__all__ = [
    "Built",
    "Cluster",
    "ClusterSettings",
    "Costly",
    "Fixed",
    "Member",
    "host_names",
    "hosts_block",
    "hosts_script",
]

_LAZY = {"Built": "component", "Cluster": "component", "Member": "component", "host_names": "hosts"}

__getattr__ = names_on_first_use(__name__, _LAZY)
