"""The Custom Cloud backend: state, rules and the lifecycle state machine (no HTTP here)."""

from __future__ import annotations

from ..faults import Faults
from ..hosts import HostBackend
from ..settings import Settings
from ..store import Store
from ._common import IdemRequest, Lifecycle, Outcome
from .instances import InstancesMixin
from .load_balancers import LoadBalancersMixin
from .networks import NetworksMixin
from .projects import ProjectsMixin, hash_key
from .volumes import VolumesMixin

__all__ = [
    "CloudBackend",
    "IdemRequest",
    "InstancesMixin",
    "Lifecycle",
    "LoadBalancersMixin",
    "NetworksMixin",
    "Outcome",
    "ProjectsMixin",
    "VolumesMixin",
    "hash_key",
]


class CloudBackend(InstancesMixin, NetworksMixin, LoadBalancersMixin, VolumesMixin, ProjectsMixin):
    """Every operation of the API over one `Store`."""

    def __init__(self, settings: Settings, store: Store, hosts: HostBackend, faults: Faults) -> None:
        super().__init__(settings, store, hosts, faults)
        self._key_cache = {}
        if settings.bootstrap_project:
            if not settings.bootstrap_key:
                raise ValueError("a bootstrap project needs a bootstrap key")
            self.ensure_project(settings.bootstrap_project, settings.bootstrap_key)
        self.recover_host_jobs()  # host work a crash interrupted: done again (or cleaned up) first
        restore = getattr(hosts, "restore", None)
        if restore is not None:  # machine hosts: bring back running instances, drop leftovers of deleted ones
            restore(self.instance_statuses())
