"""MariaDB: the OS packages' MariaDB run as the service `mariadb` on a server, with its users, databases,
read-only replicas (GTID replication), backups and metrics, configured over SSH (`docs/task-services.md`).
The declaration (`spec`) and the rendering (`render`) import no Pulumi; `MariaDB` loads it when first used."""

from typing import Any

from .spec import (
    MARIADB,
    BackupSettings,
    DatabaseSettings,
    MariaDBConfig,
    MonitoringSettings,
    ReplicationSettings,
    UserSettings,
)

__all__ = [
    "MARIADB",
    "BackupSettings",
    "DatabaseSettings",
    "MariaDB",
    "MariaDBConfig",
    "MonitoringSettings",
    "ReplicationSettings",
    "UserSettings",
]


def __getattr__(name: str) -> Any:
    if name == "MariaDB":
        from .component import MariaDB

        return MariaDB
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
