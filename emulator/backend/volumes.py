"""Volumes: create, grow, relabel, attach to an instance of their zone, detach, delete (409 if attached)."""

from __future__ import annotations

import sqlite3
from typing import Any

from provisioning.providers.custom_cloud.api import catalog
from provisioning.providers.custom_cloud.api.models import VolumeAttach, VolumeCreate, VolumeUpdate

from ..errors import Conflict, InvalidState, ValidationFailed
from ._common import BaseBackend, IdemRequest, Outcome, Row, iso, new_id

__all__ = ["VolumesMixin"]


class VolumesMixin(BaseBackend):
    """The volume operations."""

    def create_volume(self, project_id: str, body: VolumeCreate, idem: IdemRequest | None) -> Outcome:
        """POST /v1/volumes → 201 `available`."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            self.check_name(conn, project_id, "volume", body.zone, body.name)
            doc: dict[str, Any] = body.model_dump(mode="json")
            doc.update(
                id=new_id("vol"),
                project_id=project_id,
                region=catalog.region_of_zone(body.zone),
                status="available",
                attached_to=None,
                source_instance_id=None,
                hourly_cost=round(body.size * catalog.STORAGE_GB_HOUR, 6),
                created_at=iso(now),
                updated_at=iso(now),
            )
            self.insert(conn, "volume", doc, scope=body.zone, next_status=None, ready_at=None)
            return doc

        return self.write(project_id, 201, op, idem)

    def update_volume(self, project_id: str, vid: str, body: VolumeUpdate) -> Outcome:
        """PATCH /v1/volumes/{id}: size (grow only), labels."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            row = self.get(conn, project_id, "volume", vid, now)
            if body.size is not None:
                if body.size < row.doc["size"]:
                    raise ValidationFailed.field(
                        "size", body.size, "grow_only", f"size can only grow (currently {row.doc['size']} GB)"
                    )
                row.doc["size"] = body.size
                row.doc["hourly_cost"] = round(body.size * catalog.STORAGE_GB_HOUR, 6)
            if body.labels is not None:
                row.doc["labels"] = body.labels
            self.save(conn, row, now)
            return row.doc

        return self.write(project_id, 200, op)

    def attach_volume(
        self, project_id: str, vid: str, body: VolumeAttach, idem: IdemRequest | None
    ) -> Outcome:
        """POST /v1/volumes/{id}/attach → 200 `in-use`; a no-op when already attached to that instance."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            row = self.get(conn, project_id, "volume", vid, now)
            iid = body.instance_id
            instance = self.find(conn, project_id, "instance", iid, now)
            if instance is None:
                raise ValidationFailed.field("instance_id", iid, "exists", f"instance {iid!r} not found")
            holder = row.doc.get("attached_to")
            if holder == iid:
                return row.doc
            if holder:
                raise Conflict(
                    f"volume {vid!r} is attached to instance {holder}: a volume attaches to one instance "
                    "at a time (detach it first)",
                    details={"dependents": [holder]},
                )
            if instance.status == "deleting":
                raise InvalidState(
                    f"cannot attach volume {vid!r} to instance {iid!r} while it is deleting",
                    details={"status": instance.status, "field": "instance_id"},
                )
            if instance.doc["zone"] != row.doc["zone"]:
                raise ValidationFailed.field(
                    "instance_id",
                    iid,
                    "same_zone",
                    f"instance {iid!r} is in {instance.doc['zone']}, volume {vid!r} in {row.doc['zone']}: "
                    "a volume attaches only to an instance in its zone",
                )
            row.doc["attached_to"] = iid
            row.status = "in-use"
            self.save(conn, row, now)
            self.host_hook("attach_volume", iid, vid)
            return row.doc

        return self.write(project_id, 200, op, idem)

    def detach_volume(self, project_id: str, vid: str, idem: IdemRequest | None) -> Outcome:
        """POST /v1/volumes/{id}/detach → 200 `available`; a no-op when detached."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            row = self.get(conn, project_id, "volume", vid, now)
            if row.doc.get("attached_to"):
                self._detach(conn, row, now)
            return row.doc

        return self.write(project_id, 200, op, idem)

    def detach_all(
        self, conn: sqlite3.Connection, project_id: str, instance_id: str, now: float
    ) -> list[str]:
        """Detach every volume attached to `instance_id` (inside the write that deletes it); their ids."""
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM resources WHERE project_id = ? AND kind = 'volume'"
                " AND json_extract(body, '$.attached_to') = ? ORDER BY seq",
                (project_id, instance_id),
            )
        ]
        for vid in ids:
            self._detach(conn, self.get(conn, project_id, "volume", vid, now), now)
        return ids

    def _detach(self, conn: sqlite3.Connection, row: Row, now: float) -> None:
        """Mark the volume `available`, then tell the host (machine hosts: unmount it from the instance)."""
        holder = str(row.doc["attached_to"])
        row.doc["attached_to"] = None
        row.status = "available"
        self.save(conn, row, now)
        self.host_hook("detach_volume", holder, row.id)

    def delete_volume(self, project_id: str, vid: str) -> Outcome:
        """DELETE /v1/volumes/{id} → 204; 409 while attached."""

        def op(conn: sqlite3.Connection, now: float) -> None:
            row = self.get(conn, project_id, "volume", vid, now)
            if row.doc.get("attached_to"):
                raise Conflict(
                    f"volume {vid!r} is attached to {row.doc['attached_to']}",
                    details={"dependents": [row.doc["attached_to"]]},
                )
            self.delete_row(conn, vid)
            self.host_hook("delete_volume", vid)  # a retained disk: its files go

        return self.write(project_id, 204, op)
