"""IP addresses: the next free host address of a pool, recorded with the resource that owns it."""

from __future__ import annotations

import ipaddress
import sqlite3

from ..errors import Conflict

__all__ = ["AddressesMixin"]


class AddressesMixin:
    """Allocating addresses (released with their owner's row)."""

    _public_pool: ipaddress.IPv4Network
    """Where public addresses come from (`Settings.public_pool`)."""

    def allocate_ip(
        self, conn: sqlite3.Connection, pool: str, cidr: ipaddress.IPv4Network, owner: str, field: str
    ) -> str:
        """Next free host address of `cidr` in `pool` (skipping network, gateway `.1` and broadcast)."""
        first = int(cidr.network_address) + 2
        last = int(cidr.broadcast_address) - 1
        top = conn.execute("SELECT MAX(ip) FROM ips WHERE pool = ?", (pool,)).fetchone()[0]
        candidate: int | None = first if top is None else top + 1
        if candidate is not None and candidate > last:
            candidate = None
            expected = first
            for (ip,) in conn.execute("SELECT ip FROM ips WHERE pool = ? ORDER BY ip", (pool,)):
                if ip > expected:
                    candidate = expected
                    break
                expected = ip + 1
        if candidate is None or candidate < first:
            raise Conflict(f"no free address left in {cidr}", details={"field": field, "value": str(cidr)})
        conn.execute("INSERT INTO ips(pool, ip, owner_id) VALUES (?, ?, ?)", (pool, candidate, owner))
        return str(ipaddress.IPv4Address(candidate))

    def allocate_public_ip(self, conn: sqlite3.Connection, owner: str) -> str:
        """An address of the public pool (a record only in `record` host mode)."""
        return self.allocate_ip(conn, "public", self._public_pool, owner, "external_ip")
