"""Rules the database services share: users and databases named once each, every owner known, the metrics
port apart from the server's. Each returns the violations it finds. Imports no Pulumi."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from provisioning.sdk.validation import Violation

from .settings import DatabaseSettings, MonitoringSettings, UserSettings

__all__ = ["metrics_port_apart", "repeated_names", "unknown_owners"]


class _Accounts(Protocol):
    @property
    def users(self) -> Sequence[UserSettings]: ...
    @property
    def databases(self) -> Sequence[DatabaseSettings]: ...


class _Exported(Protocol):
    @property
    def port(self) -> int: ...
    @property
    def monitoring(self) -> MonitoringSettings: ...


def repeated_names(config: _Accounts) -> list[Violation]:
    """Users and databases are named once each."""
    found = []
    for field, names in (
        ("users", [u.name for u in config.users]),
        ("databases", [d.name for d in config.databases]),
    ):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            found.append(
                Violation(field, repeated, f"{field} names must be unique ({', '.join(repeated)} repeat)")
            )
    return found


def unknown_owners(config: _Accounts, superuser: str) -> list[Violation]:
    """A database's owner is `superuser` or one of `users`."""
    users = {superuser, *(u.name for u in config.users)}
    found = []
    for database in config.databases:
        if database.owner not in users:
            owner = f"databases owner {database.owner!r} of {database.name!r}"
            rule = f"{owner} must be {superuser} or one of users"
            found.append(Violation("databases", database.owner, rule))
    return found


def metrics_port_apart(config: _Exported) -> list[Violation]:
    """monitoring.metrics_port differs from port when monitoring is enabled."""
    if config.monitoring.enabled and config.monitoring.metrics_port == config.port:
        rule = f"monitoring.metrics_port must differ from port {config.port}"
        return [Violation("monitoring.metrics_port", config.port, rule)]
    return []
