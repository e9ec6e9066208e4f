"""Custom Cloud API client: one typed method per operation, over the SDK's resilient `ApiClient`."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from provisioning.sdk.api_client import ApiClient, RetryPolicy

from .api.collections import Collection
from .api.models import InstancePublic, VolumeAttach, VolumePublic
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

    # -- every collection -------------------------------------------------------------------------------

    def create(
        self, collection: Collection[P], body: BaseModel, *, idempotency_key: str | None = None
    ) -> Created:
        """`POST <collection>` (an instance answers 202 in `provisioning`)."""
        response = self.request(
            "POST",
            collection.path,
            json_body=body.model_dump(mode="json", exclude_none=True),
            idempotency_key=idempotency_key,
        )
        replayed = response.headers.get("Idempotent-Replayed", "").lower() == "true"
        return Created(resource=collection.public.model_validate(response.json()), replayed=replayed)

    def get(self, collection: Collection[P], resource_id: str) -> P:
        """`GET <collection>/{id}`."""
        return collection.public.model_validate(self.get_json(f"{collection.path}/{resource_id}"))

    def find(
        self, collection: Collection[P], *, name: str | None = None, labels: dict[str, str] | None = None
    ) -> list[P]:
        """`GET <collection>`, every page, filtered by name and labels."""
        params: list[tuple[str, Any]] = [("name", name)] if name else []
        params += [("label", f"{k}={v}") for k, v in (labels or {}).items()]
        return list(self._pages(collection, params))

    def update(self, collection: Collection[P], resource_id: str, body: BaseModel) -> P:
        """`PATCH <collection>/{id}` with the fields that change."""
        answer = self.patch_json(
            f"{collection.path}/{resource_id}", body.model_dump(mode="json", exclude_none=True)
        )
        return collection.public.model_validate(answer)

    def remove(self, collection: Collection[P], resource_id: str, **params: str) -> None:
        """`DELETE <collection>/{id}` (e.g. `keep_storage="true"` for instances)."""
        self.delete(f"{collection.path}/{resource_id}", params=params or None)

    def _pages(self, collection: Collection[P], params: list[tuple[str, Any]]) -> Iterator[P]:
        token: str | None = None
        while True:
            query = [*params, ("page_size", 500)] + ([("page_token", token)] if token else [])
            page = self.get_json(collection.path, params=query)
            for item in page["items"]:
                yield collection.public.model_validate(item)
            token = page.get("next_page_token")
            if not token:
                return

    # -- instance actions -------------------------------------------------------------------------------

    def instance_action(self, instance_id: str, action: str) -> InstancePublic:
        """`POST /instances/{id}/start|stop|reboot`, with its own Idempotency-Key per call (a second resize
        stops the server again instead of replaying the first stop's answer)."""
        answer = self.post_json(f"/instances/{instance_id}/{action}", {}, idempotency_key=_fresh_key())
        return InstancePublic.model_validate(answer)

    # -- volume attachments -----------------------------------------------------------------------------

    def attach_volume(self, volume_id: str, instance_id: str) -> VolumePublic:
        """`POST /volumes/{id}/attach` (a no-op when already attached to `instance_id`).

        Each call has its own Idempotency-Key (kept across its retries): attaching again after a detach
        must attach again, not replay the first answer."""
        body = VolumeAttach(instance_id=instance_id).model_dump(mode="json")
        answer = self.post_json(f"/volumes/{volume_id}/attach", body, idempotency_key=_fresh_key())
        return VolumePublic.model_validate(answer)

    def detach_volume(self, volume_id: str) -> VolumePublic:
        """`POST /volumes/{id}/detach` (a no-op when detached); its own Idempotency-Key per call."""
        answer = self.post_json(f"/volumes/{volume_id}/detach", {}, idempotency_key=_fresh_key())
        return VolumePublic.model_validate(answer)


def _fresh_key() -> str:
    """An Idempotency-Key for one call of an action that may rightly be repeated later."""
    return secrets.token_hex(24)
