"""Volumes: create, grow, relabel, delete (409 while attached)."""

from __future__ import annotations

import sqlite3
from typing import Any

from provisioning.providers.custom_cloud.api import catalog
from provisioning.providers.custom_cloud.api.models import VolumeCreate, VolumeUpdate

from ..errors import Conflict, ValidationFailed
from ._common import BaseBackend, IdemRequest, Outcome, iso, new_id

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
            drop_disk = getattr(self.hosts, "delete_volume", None)  # optional hook (sandbox: frees the disk)
            if drop_disk is not None:
                drop_disk(vid)

        return self.write(project_id, 204, op)
