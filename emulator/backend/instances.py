"""Instances: create, update, start/stop/reboot, delete (with keep_storage), and their state machine."""

from __future__ import annotations

import ipaddress
import sqlite3
import time
from functools import partial
from typing import Any

from provisioning.providers.custom_cloud.api import catalog
from provisioning.providers.custom_cloud.api.models import InstanceCreate, InstanceUpdate

from ..errors import InvalidState, ValidationFailed
from ._common import IdemRequest, Outcome, Row, iso, new_id
from ._host_work import HOST_ACTIONS, HostJob, HostWorkMixin
from .load_balancers import LoadBalancersMixin
from .volumes import VolumesMixin

__all__ = ["InstancesMixin"]

# action → statuses it is allowed from (a no-op when already in its final status, see HOST_ACTIONS).
_ALLOWED: dict[str, frozenset[str]] = {
    "start": frozenset({"stopped"}),
    "stop": frozenset({"running"}),
    "reboot": frozenset({"running"}),
}


class InstancesMixin(HostWorkMixin, LoadBalancersMixin, VolumesMixin):
    """The instance operations (their host work: see `_host_work`)."""

    def create_instance(self, project_id: str, body: InstanceCreate, idem: IdemRequest | None) -> Outcome:
        """POST /v1/instances → 202 with status `provisioning` (once the host is up, with its endpoint)."""

        def op(conn: sqlite3.Connection, now: float, pending: list[HostJob]) -> dict[str, Any]:
            self.check_name(conn, project_id, "instance", body.zone, body.name)
            iid = new_id("i")
            doc: dict[str, Any] = body.model_dump(mode="json")
            region = catalog.region_of_zone(body.zone)
            private_ip = self._allocate_private_ip(conn, project_id, body, doc, region, iid)
            doc.update(
                id=iid,
                project_id=project_id,
                region=region,
                status="provisioning",
                private_ip=private_ip,
                public_ip=self.allocate_public_ip(conn, iid) if body.external_ip else None,
                created_at=iso(now),
                updated_at=iso(now),
                hourly_cost=catalog.hourly_cost(body.machine_type, body.disk_size),
                retained_volume_id=None,
                ssh_host=None,
                ssh_port=None,
                ssh_host_key_fingerprints=[],
            )
            row = Row(iid, "provisioning", None, None, doc)
            job = self.host_job("create", row, idem)
            job.spec = self.host_spec(conn, doc)
            self.start_host_work(conn, now, row, job, pending)
            self.insert(
                conn, "instance", doc, scope=body.zone, next_status=row.next_status, ready_at=row.ready_at
            )
            return doc

        return self.host_write(project_id, 202, op, idem)

    def _allocate_private_ip(
        self,
        conn: sqlite3.Connection,
        project_id: str,
        body: InstanceCreate,
        doc: dict[str, Any],
        region: str,
        iid: str,
    ) -> str:
        now = 0.0  # existence checks only; pending transitions do not matter here
        if body.subnet is not None:
            subnet = self.find(conn, project_id, "subnet", body.subnet, now)
            if subnet is None:
                raise ValidationFailed.field(
                    "subnet", body.subnet, "exists", f"subnet {body.subnet!r} not found"
                )
            if subnet.doc["zone"] != body.zone:
                raise ValidationFailed.field(
                    "subnet",
                    body.subnet,
                    "same_zone",
                    f"subnet {body.subnet!r} is in {subnet.doc['zone']}, not in {body.zone}",
                )
            if body.vpc is not None and body.vpc != subnet.doc["network_id"]:
                raise ValidationFailed.field(
                    "vpc",
                    body.vpc,
                    "matches_subnet",
                    f"subnet {body.subnet!r} belongs to network {subnet.doc['network_id']!r}",
                )
            doc["vpc"] = subnet.doc["network_id"]
            net = ipaddress.IPv4Network(subnet.doc["cidr"])
            return self.allocate_ip(conn, body.subnet, net, iid, "subnet")
        if body.vpc is not None:
            network = self.find(conn, project_id, "network", body.vpc, now)
            if network is None:
                raise ValidationFailed.field("vpc", body.vpc, "exists", f"network {body.vpc!r} not found")
            if network.doc["region"] not in (None, region):
                raise ValidationFailed.field(
                    "vpc", body.vpc, "same_region", f"network {body.vpc!r} is in {network.doc['region']}"
                )
            return self.allocate_ip(conn, body.vpc, ipaddress.IPv4Network(network.doc["cidr"]), iid, "vpc")
        return self.allocate_ip(conn, f"default:{project_id}", self._default_pool, iid, "vpc")

    def instance_statuses(self) -> dict[str, str]:
        """Every instance's id → effective status (a due transition counts as done)."""
        now = time.time()
        sql = "SELECT id, status, next_status, ready_at FROM resources WHERE kind = 'instance'"
        rows = self.store.reader().execute(sql).fetchall()
        return {r[0]: (r[2] if r[2] and r[3] is not None and r[3] <= now else r[1]) for r in rows}

    def update_instance(self, project_id: str, iid: str, body: InstanceUpdate) -> Outcome:
        """PATCH /v1/instances/{id}: labels, disk_size (grow only), machine_type (only while stopped)."""

        def op(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
            row = self.get(conn, project_id, "instance", iid, now)
            doc = row.doc
            if row.status == "deleting":
                raise InvalidState(f"instance {iid!r} is deleting", details={"status": row.status})
            if body.disk_size is not None and body.disk_size < doc["disk_size"]:
                raise ValidationFailed.field(
                    "disk_size",
                    body.disk_size,
                    "grow_only",
                    f"disk_size can only grow (currently {doc['disk_size']} GB)",
                )
            if body.machine_type is not None and body.machine_type != doc["machine_type"]:
                if row.status != "stopped":
                    raise InvalidState(
                        f"machine_type can only change while the instance is stopped (it is {row.status})",
                        details={"field": "machine_type", "status": row.status},
                    )
                doc["machine_type"] = body.machine_type
                self.host_hook("resize", iid, body.machine_type)
            if body.disk_size is not None:
                doc["disk_size"] = body.disk_size
            if body.labels is not None:
                doc["labels"] = body.labels
            doc["hourly_cost"] = catalog.hourly_cost(doc["machine_type"], doc["disk_size"])
            self.save(conn, row, now)
            return doc

        return self.write(project_id, 200, op)

    def act_on_instance(self, project_id: str, iid: str, action: str, idem: IdemRequest | None) -> Outcome:
        """POST /v1/instances/{id}/start|stop|reboot → 202 (once the host did it)."""
        final = HOST_ACTIONS[action][1]

        def op(conn: sqlite3.Connection, now: float, pending: list[HostJob]) -> dict[str, Any]:
            row = self.get(conn, project_id, "instance", iid, now)
            self.check_idle(conn, iid)
            if row.status == final and action != "reboot":
                return row.doc
            if row.status not in _ALLOWED[action]:
                raise InvalidState(
                    f"cannot {action} instance {iid!r} while it is {row.status}",
                    details={"status": row.status, "action": action},
                )
            self.start_host_work(conn, now, row, self.host_job(action, row, idem), pending)
            self.save(conn, row, now)
            return row.doc

        retry = partial(self.act_on_instance, project_id, iid, action, idem)
        return self.host_write(project_id, 202, op, idem, retry=retry)

    def delete_instance(self, project_id: str, iid: str, *, keep_storage: bool) -> Outcome:
        """DELETE /v1/instances/{id} → 202 `deleting` (once the host is gone); with keep_storage a volume
        keeps the disk. The instance leaves every load balancer's targets at once (as a terminated
        instance leaves its target groups) and its volumes are detached, so deleting or replacing a server
        never fails on what depends on it."""

        def op(conn: sqlite3.Connection, now: float, pending: list[HostJob]) -> dict[str, Any]:
            row = self.get(conn, project_id, "instance", iid, now)
            self.check_idle(conn, iid)
            if row.status == "deleting":
                return row.doc
            self.deregister_target(conn, project_id, iid, now)
            self.detach_all(conn, project_id, iid, now)
            job = self.host_job("delete", row, None)
            if keep_storage:
                job.retained_volume_id = self._retain_disk(conn, project_id, row.doc, now)
                row.doc["retained_volume_id"] = job.retained_volume_id
            self.start_host_work(conn, now, row, job, pending)
            self.save(conn, row, now)
            return row.doc

        retry = partial(self.delete_instance, project_id, iid, keep_storage=keep_storage)
        return self.host_write(project_id, 202, op, retry=retry)

    def _retain_disk(
        self, conn: sqlite3.Connection, project_id: str, inst: dict[str, Any], now: float
    ) -> str:
        vid = new_id("vol")
        name = f"{inst['name'][:58]}-disk"
        if self.name_taken(conn, project_id, "volume", inst["zone"], name):
            name = f"{inst['name'][:40]}-disk-{vid[4:]}"
        doc = {
            "id": vid,
            "project_id": project_id,
            "name": name,
            "zone": inst["zone"],
            "region": inst["region"],
            "size": inst["disk_size"],
            "disk_type": inst["disk_type"],
            "labels": {},
            "status": "available",
            "attached_to": None,
            "source_instance_id": inst["id"],
            "hourly_cost": round(inst["disk_size"] * catalog.STORAGE_GB_HOUR, 6),
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        self.insert(conn, "volume", doc, scope=inst["zone"], next_status=None, ready_at=None)
        return vid
