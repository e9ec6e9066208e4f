"""CustomDatabase: PostgreSQL from the OS packages, run as the service `customdb` on a server, configured
over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering (`render`) import no Pulumi;
`CustomDatabase` loads it when first used."""

from typing import Any

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


def __getattr__(name: str) -> Any:
    if name == "CustomDatabase":
        from .component import CustomDatabase

        return CustomDatabase
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
