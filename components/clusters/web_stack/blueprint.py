"""The web stack's blueprint from its config alone: which servers it has (name, tier, role, instance type,
subnet, whom it talks to) and the config of every task service on them, with host names where addresses go
(each server's `/etc/hosts` block resolves them). Pure: no Pulumi, so all of it is known at preview and
unit-testable."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING, Any

from provisioning.components.taskservs.custom_database.spec import CUSTOM_DATABASE
from provisioning.components.taskservs.mariadb.spec import MARIADB
from provisioning.components.taskservs.postgresql.spec import POSTGRESQL
from provisioning.components.taskservs.webapp.spec import WEBAPP
from provisioning.sdk.registry import Declaration
from provisioning.sdk.validation import Violation

from .instance_types import LOAD_BALANCER_TYPE, MONITORING_TYPE
from .spec import WebStackConfig

if TYPE_CHECKING:
    from provisioning.components.taskservs._database.component import PasswordDatabase

__all__ = [
    "APP_PORT",
    "DATABASES",
    "DATABASE_PORTS",
    "DISK_SIZE",
    "EXPORTER_PORTS",
    "TIERS",
    "DatabaseService",
    "Placement",
    "alert_rules",
    "database_config",
    "database_login",
    "derived_violations",
    "haproxy_config",
    "placements",
    "scrape_jobs",
    "webapp_config",
]

TIERS = ("database", "app", "web", "load_balancer", "monitoring")
"""The tiers, in blueprint order (each depends only on tiers before it)."""
APP_PORT = 8080
"""Where the app servers serve HTTP."""
WEB_PORT = 80
"""Where the web servers and the load balancer serve HTTP."""
STATS_PORT = 8404
"""HAProxy's stats page and /metrics."""
NODE_EXPORTER_PORT = 9100
"""The node exporter on every server."""
DISK_SIZE = 20
"""Every server's disk, GB."""


@dataclass(frozen=True)
class DatabaseService:
    """The task service of one `database_tier.type`, as the stack uses it."""

    declaration: Declaration
    """Its declaration: the stack's database and exporter ports are its defaults."""
    app_kind: str
    """What WebApp calls it (`database.kind`)."""
    login: str | None = None
    """The account the app logs in with when the service makes none for it (CustomDatabase: postgres);
    None: the app gets a user and a database of its own, both named after it."""

    def component(self) -> type[PasswordDatabase[Any]]:
        """Its component class, named by its type token in its package (loaded on first use: it imports
        Pulumi, this module does not); every one takes the same arguments."""
        package = importlib.import_module(self.declaration.model.__module__.rpartition(".")[0])
        found: type[PasswordDatabase[Any]] = getattr(package, self.declaration.type_token.rpartition(":")[2])
        return found

    @property
    def port(self) -> int:
        """The service's default port."""
        port: int = self.declaration.model.model_fields["port"].default
        return port

    @property
    def exporter_port(self) -> int:
        """Its metrics exporter's default port."""
        monitoring = self.declaration.model.model_fields["monitoring"].get_default(call_default_factory=True)
        port: int = monitoring.metrics_port
        return port


DATABASES = {
    "postgresql": DatabaseService(POSTGRESQL, "postgresql"),
    "mysql": DatabaseService(MARIADB, "mysql"),
    "custom-database": DatabaseService(CUSTOM_DATABASE, "postgresql", login="postgres"),
}
"""The database task service of each `database_tier.type`."""
DATABASE_PORTS = {kind: service.port for kind, service in DATABASES.items()}
"""The database's port by `database_tier.type`."""
EXPORTER_PORTS = {kind: service.exporter_port for kind, service in DATABASES.items()}
"""The database exporter's port by `database_tier.type`."""

_TALKS_TO = {
    "database": ("database",),
    "app": ("database",),
    "web": ("app",),
    "load_balancer": ("web",),
    "monitoring": TIERS,
}


@dataclass(frozen=True)
class Placement:
    """One server of the stack."""

    tier: str
    """Its tier (one of `TIERS`)."""
    role: str
    """What it is in its tier: `primary`, `replica`, `app`, `web`, `load-balancer`, `monitoring`."""
    suffix: str
    """`<tier>-<i>` (`web-0`, `db-primary`): what follows the app's name in its name."""
    name: str
    """The server's name and host name: `<app_name>-<suffix>`."""
    instance_type: str
    """Its instance type (the table maps it to a machine type)."""
    subnet_kind: str
    """`public`, `private` or `database`."""
    subnet_index: int
    """Which subnet of its kind."""
    external_ip: bool
    """Whether it has a public address (the load balancer only)."""

    @property
    def talks_to(self) -> tuple[str, ...]:
        """The tiers whose servers it names (its `/etc/hosts` block)."""
        return _TALKS_TO[self.tier]


def placements(config: WebStackConfig) -> list[Placement]:
    """Every server, in blueprint order: database (primary, replica), app, web, load balancer, monitoring;
    each tier alternating over the subnets of its kind."""
    app = config.app_name
    net = config.network
    found: list[Placement] = []

    def add(tier: str, role: str, suffix: str, instance_type: str, kind: str, index: int) -> None:
        count = len(getattr(net, f"{kind}_subnets"))
        found.append(
            Placement(
                tier,
                role,
                suffix,
                f"{app}-{suffix}",
                instance_type,
                kind,
                index % count,
                tier == "load_balancer",
            )
        )

    db_type = config.database_tier.instance_type
    add("database", "primary", "db-primary", db_type, "database", 0)
    if config.database_tier.high_availability:
        add("database", "replica", "db-replica", db_type, "database", 1)
    for i in range(config.app_tier.replicas):
        add("app", "app", f"app-{i}", config.app_tier.instance_type, "private", i)
    for i in range(config.web_tier.replicas):
        add("web", "web", f"web-{i}", config.web_tier.instance_type, "public", i)
    if config.web_tier.load_balancer.enabled:
        add("load_balancer", "load-balancer", "lb-0", LOAD_BALANCER_TYPE, "public", 0)
    if config.monitoring.enabled:
        add("monitoring", "monitoring", "monitoring-0", MONITORING_TYPE, "private", 0)
    return found


def database_login(config: WebStackConfig) -> tuple[str, str]:
    """The app's database and user: both `app_name` with `_` for `-` (CustomDatabase: postgres, postgres)."""
    login = DATABASES[config.database_tier.type].login
    if login is not None:
        return login, login
    name = config.app_name.replace("-", "_")
    return name, name


def database_config(config: WebStackConfig) -> dict[str, Any]:
    """The database task service's config: the app's user and database, a replica with high availability,
    backups, the metrics exporter with monitoring, `keep_data`."""
    tier = config.database_tier
    settings: dict[str, Any] = {
        "name": f"{config.app_name}-db",
        "replication": {"enabled": tier.high_availability, "replicas": 1},
        "backup": {"enabled": tier.backup_enabled},
        "monitoring": {"enabled": config.monitoring.enabled},
        "keep_data": config.keep_data,
    }
    if DATABASES[tier.type].login is None:
        database, user = database_login(config)
        settings["users"] = [{"name": user}]
        settings["databases"] = [{"name": database, "owner": user}]
    return settings


_FROM_STACK = {
    "app_name": "app_name",
    "environment": "environment",
    "version": "app_version",
    "health_check_path": "web_tier.load_balancer.health_check_path",
}
"""WebApp's fields that copy a WebStack field (by its dotted path): how `webapp_config` fills them, and which
WebStack field a violation of the app's rules on one of them names."""


def webapp_config(config: WebStackConfig, placement: Placement) -> dict[str, Any]:
    """WebApp on one app server: the stack's app name, environment and version, reading and writing the
    database on the primary by host name."""
    database, user = database_login(config)
    copied = {field: reduce(getattr, path.split("."), config) for field, path in _FROM_STACK.items()}
    return {
        "name": placement.name,
        **copied,
        "port": APP_PORT,
        "database": {
            "kind": DATABASES[config.database_tier.type].app_kind,
            "host": f"{config.app_name}-db-primary",
            "port": DATABASE_PORTS[config.database_tier.type],
            "name": database,
            "user": user,
        },
    }


def haproxy_config(
    config: WebStackConfig, placement: Placement, backends: Sequence[Placement]
) -> dict[str, Any]:
    """HAProxy on a web server (in front of every app server, answering `health_check_path` itself) or on
    the load balancer (in front of every web server, with TLS when `ssl`), checking `health_check_path`."""
    port = APP_PORT if placement.tier == "web" else WEB_PORT
    settings: dict[str, Any] = {
        "name": placement.name,
        "port": WEB_PORT,
        "backends": [{"name": b.name, "address": b.name, "port": port} for b in backends],
        "health_check_path": config.web_tier.load_balancer.health_check_path,
        "check_interval": "1s",
        "stats": {"enabled": True, "port": STATS_PORT},
    }
    if placement.tier == "web":
        # the load balancer's check of a web server is answered by its HAProxy (up while an app server
        # is), not passed on to one app server: an app drained for a release leaves every web server up
        settings["monitor_path"] = config.web_tier.load_balancer.health_check_path
    if placement.tier == "load_balancer" and config.web_tier.load_balancer.ssl:
        settings["ssl"] = {"enabled": True}
    return settings


def scrape_jobs(config: WebStackConfig, servers: Sequence[Placement]) -> list[dict[str, Any]]:
    """Prometheus's jobs: `node` (every server), `app`, `database` (its exporter on each database server)
    and `haproxy` (web servers and load balancer), all by host name."""

    def of(*tiers: str) -> list[Placement]:
        return [s for s in servers if s.tier in tiers]

    exporter = EXPORTER_PORTS[config.database_tier.type]
    jobs = [
        ("node", [f"{s.name}:{NODE_EXPORTER_PORT}" for s in servers]),
        ("app", [f"{s.name}:{APP_PORT}" for s in of("app")]),
        ("database", [f"{s.name}:{exporter}" for s in of("database")]),
        ("haproxy", [f"{s.name}:{STATS_PORT}" for s in of("web", "load_balancer")]),
    ]
    return [{"job": job, "targets": targets} for job, targets in jobs if targets]


def alert_rules(config: WebStackConfig) -> list[dict[str, str]]:
    """With alerting: a scrape target down for 1 minute, and app CPU over `cpu_threshold` for 2 minutes."""
    threshold = config.app_tier.auto_scaling.cpu_threshold
    return [
        {
            "alert": "TargetDown",
            "expr": "up == 0",
            "for_": "1m",
            "severity": "critical",
            "summary": "{{ $labels.job }} target {{ $labels.instance }} is down",
        },
        {
            "alert": "AppCpuHigh",
            "expr": f'rate(process_cpu_seconds_total{{job="app"}}[1m]) * 100 > {threshold}',
            "for_": "2m",
            "severity": "warning",
            "summary": f"app CPU on {{{{ $labels.instance }}}} is over {threshold}%",
        },
    ]


def derived_violations(config: WebStackConfig) -> list[Violation]:
    """The rules the app's config breaks that this config's own rules cannot see (e.g. a health check path
    that is one of the app's own paths), named by the WebStack field it comes from."""
    app = next(p for p in placements(config) if p.tier == "app")
    found = []
    for violation in WEBAPP.check(webapp_config(config, app)):
        field = _FROM_STACK.get(violation.field, f"app_tier ({violation.field})")
        found.append(Violation(field, violation.value, violation.rule))
    return found
