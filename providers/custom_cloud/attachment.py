"""The VolumeAttachment provider: attach a volume to a server of its zone (create), detach it (delete).

Its id is `<volume id>:<server id>`; both fields replace, and a replacement that keeps the volume detaches
before it attaches again (a volume attaches to one server at a time)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi.dynamic as dyn

from provisioning.sdk.errors import Conflict, NotFound
from provisioning.sdk.validation import Violation

from ._provider import CustomCloudProvider
from .api.collections import INSTANCES, VOLUMES
from .api.models import InstancePublic, VolumePublic
from .resource_provider import GONE
from .specs import VOLUME_ATTACHMENT

if TYPE_CHECKING:  # the HTTP client is built by the provider base where a call needs it
    from .client import CustomCloudClient

__all__ = ["VolumeAttachmentProvider", "attachment_id"]

_log = logging.getLogger("provisioning.custom_cloud.attachment")


def attachment_id(volume_id: str, server_id: str) -> str:
    """The id of the attachment of `volume_id` to `server_id`."""
    return f"{volume_id}:{server_id}"


def _ids(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """(volume id, server id) from the inputs, else from the attachment id (an import has no inputs)."""
    volume_id, _, server_id = id_.partition(":")
    return str(props.get("volume_id") or volume_id), str(props.get("server_id") or server_id)


class VolumeAttachmentProvider(CustomCloudProvider):
    """Attach on create (idempotent: attaching again to the same server is a no-op), detach on delete."""

    declaration = VOLUME_ATTACHMENT
    unique_within = ("volume_id",)

    def remote_violations(self, args: Any) -> list[Violation]:
        """Volume and server exist and share a zone. Whether the volume is free is decided by the attach
        itself: the engine checks a replacement again without its old inputs, so a check cannot tell the
        attachment being replaced (detached first) from another holder."""
        with self.client() as api:
            volume = _find(api, VOLUMES, args.volume_id)
            server = _find(api, INSTANCES, args.server_id)
        found = []
        if volume is None:
            found.append(Violation("volume_id", args.volume_id, f"volume {args.volume_id!r} does not exist"))
        if server is None or server.status in GONE:
            found.append(Violation("server_id", args.server_id, f"server {args.server_id!r} does not exist"))
        if volume is None or server is None or found:
            return found
        assert isinstance(volume, VolumePublic) and isinstance(server, InstancePublic)
        if volume.zone != server.zone:
            found.append(
                Violation(
                    "server_id",
                    args.server_id,
                    f"server {server.id} is in zone {server.zone!r} but volume {volume.id} is in zone "
                    f"{volume.zone!r}: a volume attaches only to a server in its zone",
                )
            )
        return found

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        args = self.parse(props)
        with self.client() as api:
            try:
                api.attach_volume(args.volume_id, args.server_id)
            except Conflict as exc:
                holder = ", ".join(map(str, exc.details.get("dependents") or [])) or "another server"
                raise exc.explained(
                    f"volume_id {args.volume_id!r}: the volume is attached to {holder}; a volume attaches to "
                    "one server at a time (detach it there, or attach another volume)",
                    field="volume_id",
                    value=args.volume_id,
                ) from exc
        outputs = {"volume_id": args.volume_id, "server_id": args.server_id}
        return dyn.CreateResult(attachment_id(args.volume_id, args.server_id), outputs)

    def read(self, id_: str, props: dict[str, Any]) -> dyn.ReadResult:
        """Gone (an empty id) unless the volume is still attached to the server."""
        volume_id, server_id = _ids(id_, props)
        with self.client() as api:
            volume = _find(api, VOLUMES, volume_id)
        if volume is None or volume.attached_to != server_id:
            return dyn.ReadResult("", {})
        inputs = {"volume_id": volume_id, "server_id": server_id}
        return dyn.ReadResult(attachment_id(volume_id, server_id), dict(inputs), inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Detach, if the volume is still attached to this server (gone or detached already: done)."""
        volume_id, server_id = _ids(id_, props)
        with self.client() as api:
            volume = _find(api, VOLUMES, volume_id)
            if volume is None or volume.attached_to != server_id:
                _log.info("delete %s: volume %s is not attached to %s", id_, volume_id, server_id)
                return
            try:
                api.detach_volume(volume_id)
            except NotFound:
                pass


def _find(api: CustomCloudClient, collection: Any, id_: str) -> Any:
    """The resource `id_` of `collection`, or None when the API does not know it."""
    try:
        return api.get(collection, id_)
    except NotFound:
        return None
