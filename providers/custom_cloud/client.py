"""Custom Cloud API client: one typed method per operation, over the SDK's resilient `ApiClient`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
from provisioning.sdk.api_client import ApiClient, RetryPolicy
from pydantic import BaseModel

from .api.models import (
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
from .config import CustomCloudConfig

__all__ = ["CustomCloudClient", "Created"]

P = TypeVar("P", bound=BaseModel)


class Created(BaseModel):
    """A create's answer: the resource, and whether the API replayed an earlier answer for the same key."""

    resource: Any
    """The created (or replayed) resource model."""
    replayed: bool
    """True when the API answered from its idempotency store (`Idempotent-Replayed: true`)."""


class CustomCloudClient(ApiClient):
    """The Custom Cloud API v1 (see docs/custom-cloud-api.md)."""

    @classmethod
    def from_config(
        cls,
        config: CustomCloudConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> CustomCloudClient:
        """A client for `config` (URL, key, timeout)."""
        return cls(
            base_url=config.api_url,
            api_key=config.api_key.get_secret_value(),
            timeout=float(config.timeout),
            transport=transport,
            retry=retry,
            user_agent="provisioning-custom-cloud",
        )

    # -- generic helpers ------------------------------------------------------------------------------

    def _create(self, path: str, body: BaseModel, model: type[P], key: str | None) -> Created:
        response = self.request(
            "POST", path, json_body=body.model_dump(mode="json", exclude_none=True), idempotency_key=key
        )
        replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
        return Created(resource=model.model_validate(response.json()), replayed=replayed)

    def _list(self, path: str, model: type[P], params: list[tuple[str, Any]]) -> Iterator[P]:
        token: str | None = None
        while True:
            query = [*params, ("page_size", 500)] + ([("page_token", token)] if token else [])
            page = self.get_json(path, params=query)
            for item in page["items"]:
                yield model.model_validate(item)
            token = page.get("next_page_token")
            if not token:
                return

    def _patch(self, path: str, body: BaseModel, model: type[P]) -> P:
        return model.model_validate(self.patch_json(path, body.model_dump(mode="json", exclude_none=True)))

    # -- instances --------------------------------------------------------------------------------------

    def create_instance(self, body: InstanceCreate, *, idempotency_key: str | None = None) -> Created:
        """`POST /instances` (202, status `provisioning`)."""
        return self._create("/instances", body, InstancePublic, idempotency_key)

    def get_instance(self, instance_id: str) -> InstancePublic:
        """`GET /instances/{id}`."""
        return InstancePublic.model_validate(self.get_json(f"/instances/{instance_id}"))

    def list_instances(
        self, *, name: str | None = None, labels: dict[str, str] | None = None
    ) -> list[InstancePublic]:
        """`GET /instances`, every page."""
        params: list[tuple[str, Any]] = [("name", name)] if name else []
        params += [("label", f"{k}={v}") for k, v in (labels or {}).items()]
        return list(self._list("/instances", InstancePublic, params))

    def update_instance(self, instance_id: str, body: InstanceUpdate) -> InstancePublic:
        """`PATCH /instances/{id}` (labels, disk growth, machine type while stopped)."""
        return self._patch(f"/instances/{instance_id}", body, InstancePublic)

    def instance_action(self, instance_id: str, action: str) -> InstancePublic:
        """`POST /instances/{id}/start|stop|reboot`."""
        return InstancePublic.model_validate(self.post_json(f"/instances/{instance_id}/{action}", {}))

    def delete_instance(self, instance_id: str, *, keep_storage: bool = False) -> None:
        """`DELETE /instances/{id}`."""
        self.delete(f"/instances/{instance_id}", params={"keep_storage": str(keep_storage).lower()})

    # -- networks and subnets ---------------------------------------------------------------------------

    def create_network(self, body: NetworkCreate, *, idempotency_key: str | None = None) -> Created:
        """`POST /networks`."""
        return self._create("/networks", body, NetworkPublic, idempotency_key)

    def get_network(self, network_id: str) -> NetworkPublic:
        """`GET /networks/{id}`."""
        return NetworkPublic.model_validate(self.get_json(f"/networks/{network_id}"))

    def update_network(self, network_id: str, body: NetworkUpdate) -> NetworkPublic:
        """`PATCH /networks/{id}`."""
        return self._patch(f"/networks/{network_id}", body, NetworkPublic)

    def delete_network(self, network_id: str) -> None:
        """`DELETE /networks/{id}`."""
        self.delete(f"/networks/{network_id}")

    def create_subnet(self, body: SubnetCreate, *, idempotency_key: str | None = None) -> Created:
        """`POST /subnets`."""
        return self._create("/subnets", body, SubnetPublic, idempotency_key)

    def get_subnet(self, subnet_id: str) -> SubnetPublic:
        """`GET /subnets/{id}`."""
        return SubnetPublic.model_validate(self.get_json(f"/subnets/{subnet_id}"))

    def update_subnet(self, subnet_id: str, body: SubnetUpdate) -> SubnetPublic:
        """`PATCH /subnets/{id}`."""
        return self._patch(f"/subnets/{subnet_id}", body, SubnetPublic)

    def delete_subnet(self, subnet_id: str) -> None:
        """`DELETE /subnets/{id}`."""
        self.delete(f"/subnets/{subnet_id}")

    # -- load balancers and volumes ---------------------------------------------------------------------

    def create_load_balancer(
        self, body: LoadBalancerCreate, *, idempotency_key: str | None = None
    ) -> Created:
        """`POST /load-balancers`."""
        return self._create("/load-balancers", body, LoadBalancerPublic, idempotency_key)

    def get_load_balancer(self, lb_id: str) -> LoadBalancerPublic:
        """`GET /load-balancers/{id}`."""
        return LoadBalancerPublic.model_validate(self.get_json(f"/load-balancers/{lb_id}"))

    def update_load_balancer(self, lb_id: str, body: LoadBalancerUpdate) -> LoadBalancerPublic:
        """`PATCH /load-balancers/{id}`."""
        return self._patch(f"/load-balancers/{lb_id}", body, LoadBalancerPublic)

    def delete_load_balancer(self, lb_id: str) -> None:
        """`DELETE /load-balancers/{id}`."""
        self.delete(f"/load-balancers/{lb_id}")

    def create_volume(self, body: VolumeCreate, *, idempotency_key: str | None = None) -> Created:
        """`POST /volumes`."""
        return self._create("/volumes", body, VolumePublic, idempotency_key)

    def get_volume(self, volume_id: str) -> VolumePublic:
        """`GET /volumes/{id}`."""
        return VolumePublic.model_validate(self.get_json(f"/volumes/{volume_id}"))

    def update_volume(self, volume_id: str, body: VolumeUpdate) -> VolumePublic:
        """`PATCH /volumes/{id}`."""
        return self._patch(f"/volumes/{volume_id}", body, VolumePublic)

    def delete_volume(self, volume_id: str) -> None:
        """`DELETE /volumes/{id}`."""
        self.delete(f"/volumes/{volume_id}")
