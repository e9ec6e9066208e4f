"""Networks and subnets: CIDR rules and deletion guarded by dependents."""

from __future__ import annotations

import ipaddress
import sqlite3
from typing import Any

from provisioning.providers.custom_cloud.api import catalog
from provisioning.providers.custom_cloud.api.models import (
    NetworkCreate,
    NetworkUpdate,
    SubnetCreate,
    SubnetUpdate,
)

from ..errors import Conflict, ValidationFailed
from ._common import BaseBackend, IdemRequest, Outcome, iso, new_id

__all__ = ["NetworksMixin"]


class NetworksMixin(BaseBackend):
    """The network and subnet operations."""

    def create_network(self, project_id: str, body: NetworkCreate, idem: IdemRequest | None) -> Outcome:
        """POST /v1/networks → 201."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            self.check_name(conn, project_id, "network", "", body.name)
            doc: dict[str, Any] = body.model_dump(mode="json")
            doc.update(
                id=new_id("net"),
                project_id=project_id,
                status="available",
                created_at=iso(now),
                updated_at=iso(now),
            )
            self.insert(conn, "network", doc, scope="", next_status=None, ready_at=None)
            return doc

        return self.write(project_id, 201, op, idem)

    def update_network(self, project_id: str, nid: str, body: NetworkUpdate) -> Outcome:
        """PATCH /v1/networks/{id}: relabel."""
        return self.update_fields(project_id, "network", nid, body)

    def update_subnet(self, project_id: str, sid: str, body: SubnetUpdate) -> Outcome:
        """PATCH /v1/subnets/{id}: relabel."""
        return self.update_fields(project_id, "subnet", sid, body)

    def update_fields(
        self, project_id: str, kind: str, rid: str, body: NetworkUpdate | SubnetUpdate
    ) -> Outcome:
        """PATCH of a resource whose mutable fields need no rule beyond their schema: each given field is
        replaced (labels as a whole)."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            row = self.get(conn, project_id, kind, rid, now)
            row.doc.update(body.model_dump(mode="json", exclude_none=True))
            self.save(conn, row, now)
            return row.doc

        return self.write(project_id, 200, op)

    def delete_network(self, project_id: str, nid: str) -> Outcome:
        """DELETE /v1/networks/{id} → 204; 409 with dependents while subnets or instances use it."""
        users = (
            "(kind = 'subnet' AND json_extract(body, '$.network_id') = ?)"
            " OR (kind = 'instance' AND json_extract(body, '$.vpc') = ?)"
        )
        return self._delete_unused(project_id, "network", nid, users, 2)

    def create_subnet(self, project_id: str, body: SubnetCreate, idem: IdemRequest | None) -> Outcome:
        """POST /v1/subnets → 201; the CIDR lies inside the network's and overlaps no sibling."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            network = self.find(conn, project_id, "network", body.network_id, now)
            if network is None:
                raise ValidationFailed.field(
                    "network_id", body.network_id, "exists", f"network {body.network_id!r} not found"
                )
            region = catalog.region_of_zone(body.zone)
            if network.doc["region"] not in (None, region):
                raise ValidationFailed.field(
                    "zone", body.zone, "in_network_region", f"network is in {network.doc['region']}"
                )
            cidr = ipaddress.IPv4Network(body.cidr)
            parent = ipaddress.IPv4Network(network.doc["cidr"])
            if not cidr.subnet_of(parent):
                raise ValidationFailed.field(
                    "cidr", body.cidr, "within_network", f"{body.cidr} is not inside the network's {parent}"
                )
            for sid, other in conn.execute(
                "SELECT id, json_extract(body, '$.cidr') FROM resources"
                " WHERE project_id = ? AND kind = 'subnet'"
                " AND json_extract(body, '$.network_id') = ?",
                (project_id, body.network_id),
            ):
                if cidr.overlaps(ipaddress.IPv4Network(other)):
                    raise Conflict(
                        f"{body.cidr} overlaps subnet {sid} ({other})",
                        details={"field": "cidr", "value": body.cidr, "dependents": [sid]},
                    )
            self.check_name(conn, project_id, "subnet", body.network_id, body.name)
            doc: dict[str, Any] = body.model_dump(mode="json")
            doc.update(
                id=new_id("subnet"),
                project_id=project_id,
                region=region,
                status="available",
                created_at=iso(now),
                updated_at=iso(now),
            )
            self.insert(conn, "subnet", doc, scope=body.network_id, next_status=None, ready_at=None)
            return doc

        return self.write(project_id, 201, op, idem)

    def delete_subnet(self, project_id: str, sid: str) -> Outcome:
        """DELETE /v1/subnets/{id} → 204; 409 with dependents while instances use it."""
        users = "kind = 'instance' AND json_extract(body, '$.subnet') = ?"
        return self._delete_unused(project_id, "subnet", sid, users, 1)

    def _delete_unused(self, project_id: str, kind: str, rid: str, users: str, uses: int) -> Outcome:
        """Delete `rid` → 204, or 409 naming the resources that use it: those matching the SQL condition
        `users`, which compares `uses` columns with the id."""

        def op(conn: sqlite3.Connection, now: float) -> None:
            self.get(conn, project_id, kind, rid, now)
            sql = f"SELECT id FROM resources WHERE project_id = ? AND ({users}) ORDER BY seq"
            dependents = [r[0] for r in conn.execute(sql, (project_id, *[rid] * uses))]
            if dependents:
                raise Conflict(
                    f"{kind} {rid!r} is used by {', '.join(dependents)}", details={"dependents": dependents}
                )
            self.delete_row(conn, rid)

        return self.write(project_id, 204, op)
