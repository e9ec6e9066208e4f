"""MariaDB: the OS packages' MariaDB run as the service `mariadb` on a server, with its users, databases,
read-only replicas (GTID replication), backups and metrics, configured over SSH (`docs/task-services.md`).
The declaration (`spec`) and the rendering (`render`) import no Pulumi; `MariaDB` loads it when first used."""

from provisioning.sdk._lazy import names_on_first_use

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


__getattr__ = names_on_first_use(__name__, ["MariaDB"], ["component"])
