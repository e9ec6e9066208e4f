"""Task services: software installed and run on a server over SSH, one package per service
(docs/task-services.md). Each service and its config model are exported here and loaded on first use."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:
    from .custom_database import (
        CustomDatabase as CustomDatabase,
        CustomDatabaseConfig as CustomDatabaseConfig,
    )
    from .haproxy import HAProxy as HAProxy, HAProxyConfig as HAProxyConfig
    from .mariadb import MariaDB as MariaDB, MariaDBConfig as MariaDBConfig
    from .postgresql import PostgreSQL as PostgreSQL, PostgreSQLConfig as PostgreSQLConfig
    from .prometheus import Prometheus as Prometheus, PrometheusConfig as PrometheusConfig
    from .webapp import WebApp as WebApp, WebAppConfig as WebAppConfig

__all__, __getattr__ = exports_on_first_use(__name__)
