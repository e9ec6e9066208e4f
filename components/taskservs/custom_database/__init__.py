"""CustomDatabase: PostgreSQL from the OS packages, run as the service `customdb` on a server, configured
over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering (`render`) import no Pulumi;
`CustomDatabase` loads it when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .spec import (
    CUSTOM_DATABASE as CUSTOM_DATABASE,
    BackupSettings as BackupSettings,
    CustomDatabaseConfig as CustomDatabaseConfig,
    MonitoringSettings as MonitoringSettings,
    ReplicationSettings as ReplicationSettings,
    SslSettings as SslSettings,
)

if TYPE_CHECKING:
    from .component import CustomDatabase as CustomDatabase

__all__, __getattr__ = exports_on_first_use(__name__)
