"""CustomDatabase: PostgreSQL from the OS packages, run as the service `customdb` on a server, configured
over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering (`render`) import no Pulumi;
`CustomDatabase` loads it when first used."""

from provisioning.sdk._lazy import names_on_first_use

from .spec import (
    CUSTOM_DATABASE,
    BackupSettings,
    CustomDatabaseConfig,
    MonitoringSettings,
    ReplicationSettings,
    SslSettings,
)

__all__ = [
    "CUSTOM_DATABASE",
    "BackupSettings",
    "CustomDatabase",
    "CustomDatabaseConfig",
    "MonitoringSettings",
    "ReplicationSettings",
    "SslSettings",
]


__getattr__ = names_on_first_use(__name__, ["CustomDatabase"], ["component"])
