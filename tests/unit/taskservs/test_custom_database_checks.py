"""Every CustomDatabase rule, through the registry (what the policy pack runs) and through the component's
constructor (what fails `pulumi preview`): the message names the field, the value and the rule, and
nothing is registered."""

from __future__ import annotations

from typing import Any

import pytest

from provisioning.components.taskservs.custom_database import CUSTOM_DATABASE, CustomDatabaseConfig

from .mocks import build_database, refused
from .rule_table import Row, broken, rule_tests

PORT = "port must be between 1024 and 65535"
MEMORY = "must be a memory size: a whole number and a unit of kB, MB, GB or TB (512MB, 1GB)"
CRON = "must be a 5-field cron schedule (minute hour day-of-month month day-of-week)"
DIRECTORY = (
    "must be an absolute path at least two levels deep, of letters, digits, '.', '_' and '-' "
    "(/var/lib/customdb)"
)


ROWS: list[Row] = [
    broken("port", 80, PORT),
    broken("port", 1024, PORT),
    broken("port", 65536, PORT),
    broken("max_connections", 0, "max_connections must be positive"),
    broken("max_connections", -5, "max_connections must be positive"),
    broken("memory_limit", "1.5G", f"memory_limit '1.5G' {MEMORY}"),
    broken("memory_limit", "512mb", f"memory_limit '512mb' {MEMORY}"),
    *(
        broken("backup.schedule", schedule, f"schedule '{schedule}' {CRON}: {why}")
        for schedule, why in [
            ("0 25 * * *", "hour 25 is not in 0-23"),
            ("@daily", "it has 1 field(s)"),
            ("*/0 * * * *", "minute step '0' is not a positive number"),
            ("0 2 * * funday", "day-of-week 'funday' is not a number"),
        ]
    ),
    broken("replication.mode", "semi", "unknown mode 'semi'; known: async, sync"),
    broken("monitoring.log_level", "loud", "unknown log_level 'loud'; known: debug, info, warn, error"),
    broken("monitoring.metrics_port", 99, "metrics_port must be between 1024 and 65535"),
    broken("backup.retention_days", 0, "retention_days must be at least 1"),
    broken("replication.replicas", 0, "replicas must be at least 1"),
    broken(
        "version",
        "fifteen",
        "version 'fifteen' must be a PostgreSQL major version (15) or a major.minor release (15.18)",
    ),
    broken("data_directory", "relative/data", f"data_directory 'relative/data' {DIRECTORY}"),
    broken("data_directory", "/var/lib/../../etc", f"data_directory '/var/lib/../../etc' {DIRECTORY}"),
    broken("log_directory", "/var/log/custom db", f"log_directory '/var/log/custom db' {DIRECTORY}"),
    broken(
        "name",
        "Orders_DB",
        "name 'Orders_DB' must be 1 to 63 lowercase letters, digits and dashes, starting with a letter "
        "and not ending with a dash",
    ),
    # cross-field rules
    broken(
        "data_directory",
        "/var/log/customdb/data",
        "data_directory '/var/log/customdb/data' must not be inside log_directory '/var/log/customdb'",
    ),
    broken(
        "ssl.key_file",
        None,
        "ssl.cert_file and ssl.key_file must be given together (ssl.cert_file is '/etc/ssl/db/cert.pem')",
        given={"ssl": {"cert_file": "/etc/ssl/db/cert.pem"}},
    ),
    broken("monitoring.metrics_port", 5432, "monitoring.metrics_port must differ from port 5432"),
]
TestRules = rule_tests(CUSTOM_DATABASE, {"name": "db"}, "CustomDatabase 'db'", build_database, ROWS)


def test_defaults() -> None:
    config = CustomDatabaseConfig(name="db")
    assert config.model_dump() == {
        "name": "db",
        "version": "15",
        "keep_data": False,
        "port": 5432,
        "max_connections": 100,
        "memory_limit": "512MB",
        "data_directory": "/var/lib/customdb/data",
        "log_directory": "/var/log/customdb",
        "replication": {"enabled": False, "mode": "async", "replicas": 1},
        "backup": {
            "enabled": True,
            "schedule": "0 2 * * *",
            "retention_days": 7,
            "storage_location": "/var/backups/customdb",
        },
        "ssl": {"enabled": True, "cert_file": None, "key_file": None},
        "monitoring": {"enabled": True, "metrics_port": 9187, "log_level": "info"},
    }


def test_good_values_pass() -> None:
    good = {
        "name": "orders-1",
        "port": 1025,
        "max_connections": 1,
        "memory_limit": "1GB",
        "version": "15.18",
        "backup": {"schedule": "*/15 1-5,22 1 jan-mar mon-fri"},
        "replication": {"enabled": True, "mode": "sync", "replicas": 3},
        "monitoring": {"metrics_port": 65535, "log_level": "warn"},
        "ssl": {"cert_file": "/etc/ssl/db/cert.pem", "key_file": "/etc/ssl/db/key.pem"},
    }
    assert CUSTOM_DATABASE.check(good) == []


def test_every_broken_rule_is_reported_at_once() -> None:
    error = refused(lambda: build_database({"port": 80, "max_connections": 0}))
    assert [(v.field, v.rule) for v in error.violations] == [
        ("port", "port must be between 1024 and 65535"),
        ("max_connections", "max_connections must be positive"),
    ]


@pytest.mark.parametrize(
    ("values", "replicas", "field", "rule"),
    [
        (
            {"replication": {"enabled": True, "replicas": 2}},
            1,
            "replication.replicas",
            "replication.replicas is 2 but 1 replica target(s) were given (replicas=[...])",
        ),
        ({}, 1, "replication.enabled", "1 replica target(s) were given but replication.enabled is false"),
    ],
)
def test_replica_targets_match_the_config(
    values: dict[str, Any], replicas: int, field: str, rule: str
) -> None:
    error = refused(lambda: build_database(values, replicas=replicas))
    assert (error.field, error.rule) == (field, rule)


@pytest.mark.parametrize(
    ("values", "field", "value", "rule"),
    [
        (
            {"max_conections": 10},
            "max_conections",
            10,
            "unknown field 'max_conections'; known: backup, data_directory, keep_data, log_directory, "
            "max_connections, memory_limit, monitoring, name, port, replication, ssl, version",
        ),
        (
            {"backup": {"retention": 3}},
            "backup.retention",
            3,
            "unknown field 'retention'; known: enabled, retention_days, schedule, storage_location",
        ),
    ],
)
def test_a_misspelt_field_is_named_with_the_known_ones(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    error = refused(lambda: build_database(values))
    assert (error.field, error.value, error.rule) == (field, value, rule)
