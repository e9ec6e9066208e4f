"""MariaDB: the OS packages' MariaDB run as the service `mariadb` on a server, with its users, databases,
read-only replicas (GTID replication), backups and metrics, configured over SSH (`docs/task-services.md`).
The declaration (`spec`) and the rendering (`render`) import no Pulumi; `MariaDB` loads it when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .spec import (
    MARIADB as MARIADB,
    BackupSettings as BackupSettings,
    DatabaseSettings as DatabaseSettings,
    MariaDBConfig as MariaDBConfig,
    MonitoringSettings as MonitoringSettings,
    ReplicationSettings as ReplicationSettings,
    UserSettings as UserSettings,
)

if TYPE_CHECKING:
    from .component import MariaDB as MariaDB

__all__, __getattr__ = exports_on_first_use(__name__)
