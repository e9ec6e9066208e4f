"""The WebApp declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:WebApp` (kind "taskserv", category "application"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

from typing import Annotated

from provisioning.sdk.rules import InCatalog, Matches
from provisioning.sdk.taskservice.rules import SQL_NAME, InRange
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from provisioning.sdk.validation import Violation

from .._service import declare

__all__ = ["APP_PATHS", "DATABASE_KINDS", "DEFAULT_PORTS", "WEBAPP", "DatabaseSettings", "WebAppConfig"]

DATABASE_KINDS = ("postgresql", "mysql")
"""The databases the application talks to (mysql: MariaDB or MySQL)."""
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
"""The database port when `database.port` is not given, by kind."""
APP_PATHS = ("/", "/version", "/metrics", "/work", "/items")
"""The application's own paths (the health check path must be another one)."""


class DatabaseSettings(SettingsModel):
    """The database the application writes to and reads from; its password is a secret given to the
    component (`database_password`), never in the config."""

    kind: Annotated[str, InCatalog(DATABASE_KINDS)] = "postgresql"
    """postgresql (psycopg2) or mysql (MariaDB/MySQL, pymysql)."""
    host: Annotated[str, Matches(r"[A-Za-z0-9][A-Za-z0-9.:-]*", "an IP address or host name")]
    """Where the database listens: an IP address or a host name (plain text, known at preview)."""
    port: Annotated[int, InRange(0, 65536, "must be between 1 and 65535")] | None = None
    """Its TCP port (default: 5432 for postgresql, 3306 for mysql)."""
    name: Annotated[str, SQL_NAME] = "app"
    """The database's name."""
    user: Annotated[str, SQL_NAME] = "app"
    """The user the application logs in as."""

    @property
    def effective_port(self) -> int:
        """`port`, or the kind's default port."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.kind]


class WebAppConfig(TaskServiceSettings):
    """A small HTTP application shipped with the project, writing to and reading from a database.

    It reports its version, answers a health check and serves Prometheus metrics."""

    app_name: Annotated[
        str, Matches(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}", "1 to 63 letters, digits, spaces and . _ -")
    ] = "webapp"
    """The application's name, shown on its page and in its metrics."""
    environment: Annotated[
        str, Matches(r"[a-z][a-z0-9-]{0,31}", "1 to 32 lowercase letters, digits and '-', first a letter")
    ] = "production"
    """Deployment environment, shown on its page."""
    version: Annotated[
        str, Matches(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}", "1 to 64 letters, digits and . _ + -")
    ] = "latest"
    """The release the application reports (`/version`); changing it runs the release step alone."""
    port: Annotated[int, InRange(1023, 65536, "must be between 1024 and 65535")] = 8080
    """TCP port the application listens on (run by an unprivileged user)."""
    health_check_path: Annotated[
        str, Matches(r"/[A-Za-z0-9._~/-]*", "a path starting with '/' of letters, digits and . _ ~ / -")
    ] = "/health"
    """Path answering 200 when the database answers, 503 while draining or when it does not."""
    database: DatabaseSettings
    """The database: {kind, host, port, name, user}."""
    drain_seconds: Annotated[int, InRange(-1, 301, "must be between 0 and 300")] = 4
    """How long a server is out of the pool during a release, before its restart and again after it."""


def health_path_free(config: WebAppConfig) -> list[Violation]:
    """The health check path is none of the application's own paths."""
    if config.health_check_path in APP_PATHS:
        rule = (
            f"health_check_path {config.health_check_path!r} is one of the application's own paths "
            f"({', '.join(APP_PATHS)}); choose another (/health)"
        )
        return [Violation("health_check_path", config.health_check_path, rule)]
    return []


WEBAPP = declare("WebApp", WebAppConfig, "application", (health_path_free,))
"""The WebApp task service."""
