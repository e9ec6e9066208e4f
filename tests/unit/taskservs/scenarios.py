"""CustomDatabase configs and hosts whose rendered files are kept as fixtures (`fixtures/<scenario>/`)."""

from __future__ import annotations

from provisioning.components.taskservs.custom_database.render import Host
from provisioning.components.taskservs.custom_database.spec import CustomDatabaseConfig

_TUNED = CustomDatabaseConfig(
    name="orders",
    port=6543,
    max_connections=250,
    memory_limit="2GB",
    data_directory="/srv/orders/data",
    log_directory="/srv/orders/log",
    replication={"enabled": True, "mode": "sync", "replicas": 2},
    backup={
        "schedule": "*/30 1-5 * * mon-fri",
        "retention_days": 14,
        "storage_location": "/srv/orders-backups",
    },
    ssl={"cert_file": "/etc/ssl/orders/cert.pem", "key_file": "/etc/ssl/orders/key.pem"},
    monitoring={"metrics_port": 9300, "log_level": "debug"},
)

SCENARIOS: dict[str, tuple[CustomDatabaseConfig, Host]] = {
    "defaults": (CustomDatabaseConfig(name="db"), Host("10.0.0.5")),
    "tuned-primary": (_TUNED, Host("10.0.0.5")),
    "tuned-replica": (_TUNED, Host("10.0.0.7", "replica", 1, "10.0.0.5")),
    "plain": (
        CustomDatabaseConfig(
            name="plain",
            memory_limit="1000MB",
            ssl={"enabled": False},
            backup={"enabled": False},
            monitoring={"enabled": False},
        ),
        Host("db.internal.example"),
    ),
}
"""name → (config, host)."""
