"""What the database services (CustomDatabase, MariaDB, PostgreSQL) share: the shapes of their config
sections (`settings`), each service's own sections made from them (`section`), the rules on them
(`rules`), what the PostgreSQL services share besides (`postgres`) and the component plumbing (`component`,
which imports Pulumi and is not loaded from here). This package imports no Pulumi."""

from .rules import metrics_port_apart, repeated_names, unknown_owners
from .section import Default, Section, defaults
from .settings import (
    BackupSettings,
    DatabaseSettings,
    MonitoringSettings,
    ReplicationSettings,
    UserSettings,
)

__all__ = [
    "BackupSettings",
    "DatabaseSettings",
    "Default",
    "defaults",
    "MonitoringSettings",
    "ReplicationSettings",
    "Section",
    "UserSettings",
    "metrics_port_apart",
    "repeated_names",
    "unknown_owners",
]
