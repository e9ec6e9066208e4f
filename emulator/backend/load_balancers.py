"""Load balancers: provisioning → active, targets that must exist, deleting → gone."""

from __future__ import annotations

import sqlite3
from typing import Any

from provisioning.providers.custom_cloud.api.models import LoadBalancerCreate, LoadBalancerUpdate

from ..errors import InvalidState, ValidationFailed
from ._common import ROW_COLUMNS, BaseBackend, IdemRequest, Outcome, iso, new_id

__all__ = ["LoadBalancersMixin"]


class LoadBalancersMixin(BaseBackend):
    """The load balancer operations."""

    def _check_targets(self, conn: sqlite3.Connection, project_id: str, ids: list[str], now: float) -> None:
        for i, iid in enumerate(ids):
            if self.find(conn, project_id, "instance", iid, now) is None:
                raise ValidationFailed.field(
                    f"target_instance_ids.{i}", iid, "exists", f"instance {iid!r} not found"
                )

    def create_load_balancer(
        self, project_id: str, body: LoadBalancerCreate, idem: IdemRequest | None
    ) -> Outcome:
        """POST /v1/load-balancers → 202 `provisioning`."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            self.check_name(conn, project_id, "load_balancer", body.region, body.name)
            self._check_targets(conn, project_id, body.target_instance_ids, now)
            lid = new_id("lb")
            doc: dict[str, Any] = body.model_dump(mode="json")
            doc.update(
                id=lid,
                project_id=project_id,
                status="provisioning",
                public_ip=self.allocate_public_ip(conn, lid),
                created_at=iso(now),
                updated_at=iso(now),
            )
            self.insert(
                conn,
                "load_balancer",
                doc,
                scope=body.region,
                next_status="active",
                ready_at=self.ready_at(now),
            )
            return doc

        return self.write(project_id, 202, op, idem)

    def update_load_balancer(self, project_id: str, lid: str, body: LoadBalancerUpdate) -> Outcome:
        """PATCH /v1/load-balancers/{id}."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            row = self.get(conn, project_id, "load_balancer", lid, now)
            if row.status == "deleting":
                raise InvalidState(f"load balancer {lid!r} is deleting", details={"status": row.status})
            if body.target_instance_ids is not None:
                self._check_targets(conn, project_id, body.target_instance_ids, now)
            changes = body.model_dump(mode="json", exclude_none=True)
            row.doc.update(changes)
            self.save(conn, row, now)
            return row.doc

        return self.write(project_id, 200, op)

    def deregister_target(self, conn: sqlite3.Connection, project_id: str, iid: str, now: float) -> list[str]:
        """Take instance `iid` out of every load balancer of the project that targets it; their ids."""
        holders = conn.execute(
            f"SELECT {ROW_COLUMNS} FROM resources WHERE project_id = ? AND kind = 'load_balancer' AND EXISTS"
            " (SELECT 1 FROM json_each(body, '$.target_instance_ids') WHERE value = ?)",
            (project_id, iid),
        ).fetchall()
        for raw in holders:
            row = self._row(raw, now)
            row.doc["target_instance_ids"] = [t for t in row.doc["target_instance_ids"] if t != iid]
            self.save(conn, row, now)
        return [raw[0] for raw in holders]

    def delete_load_balancer(self, project_id: str, lid: str) -> Outcome:
        """DELETE /v1/load-balancers/{id} → 202 `deleting`."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            row = self.get(conn, project_id, "load_balancer", lid, now)
            if row.status != "deleting":
                self.transition(conn, row, now, "deleting", "deleted")
            return row.doc

        return self.write(project_id, 202, op)
