"""The API's resource collections: path, name and the create / update / response models of each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from .models import (
    InstanceCreate,
    InstancePublic,
    InstanceUpdate,
    LoadBalancerCreate,
    LoadBalancerPublic,
    LoadBalancerUpdate,
    NetworkCreate,
    NetworkPublic,
    NetworkUpdate,
    SubnetCreate,
    SubnetPublic,
    SubnetUpdate,
    VolumeCreate,
    VolumePublic,
    VolumeUpdate,
)

__all__ = ["INSTANCES", "LOAD_BALANCERS", "NETWORKS", "SUBNETS", "VOLUMES", "Collection"]

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Collection(Generic[P]):
    """One resource collection of the API (`/v1/instances`, …)."""

    path: str
    """Path under `/v1` (`/instances`)."""
    noun: str
    """What one item is called in messages (`instance`)."""
    create: type[BaseModel]
    """Body of `POST <path>`."""
    update: type[BaseModel]
    """Body of `PATCH <path>/{id}`."""
    public: type[P]
    """An item as the API answers it."""


INSTANCES = Collection("/instances", "instance", InstanceCreate, InstanceUpdate, InstancePublic)
"""Instances (servers)."""
NETWORKS = Collection("/networks", "network", NetworkCreate, NetworkUpdate, NetworkPublic)
"""Networks."""
SUBNETS = Collection("/subnets", "subnet", SubnetCreate, SubnetUpdate, SubnetPublic)
"""Subnets."""
LOAD_BALANCERS = Collection(
    "/load-balancers", "load balancer", LoadBalancerCreate, LoadBalancerUpdate, LoadBalancerPublic
)
"""Load balancers."""
VOLUMES = Collection("/volumes", "volume", VolumeCreate, VolumeUpdate, VolumePublic)
"""Volumes."""
