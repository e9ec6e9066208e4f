"""Task services: software installed and run on a server over SSH, one package per service
(docs/task-services.md). Each service and its config model are exported here and loaded on first use."""

from provisioning.sdk._lazy import names_on_first_use

_SERVICES = {
    "CustomDatabase": "custom_database",
    "CustomDatabaseConfig": "custom_database",
    "HAProxy": "haproxy",
    "HAProxyConfig": "haproxy",
    "MariaDB": "mariadb",
    "MariaDBConfig": "mariadb",
    "PostgreSQL": "postgresql",
    "PostgreSQLConfig": "postgresql",
    "Prometheus": "prometheus",
    "PrometheusConfig": "prometheus",
    "WebApp": "webapp",
    "WebAppConfig": "webapp",
}

__all__ = sorted(_SERVICES)

__getattr__ = names_on_first_use(__name__, _SERVICES)
