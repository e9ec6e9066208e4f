"""Every CustomDatabase rule, through the registry (what the policy pack runs) and through the component's
constructor (what fails `pulumi preview`): the message names the field, the value and the rule, and
nothing is registered."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from provisioning.components.taskservs.custom_database import CUSTOM_DATABASE, CustomDatabaseConfig
from provisioning.sdk import registry

from .mocks import build_database, case_ids, refused, undocumented_fields

BAD: list[tuple[dict[str, Any], str, Any, str]] = [
    ({"port": 80}, "port", 80, "port must be between 1024 and 65535"),
    ({"port": 1024}, "port", 1024, "port must be between 1024 and 65535"),
    ({"port": 65536}, "port", 65536, "port must be between 1024 and 65535"),
    ({"max_connections": 0}, "max_connections", 0, "max_connections must be positive"),
    ({"max_connections": -5}, "max_connections", -5, "max_connections must be positive"),
    (
        {"memory_limit": "1.5G"},
        "memory_limit",
        "1.5G",
        "memory_limit '1.5G' must be a memory size: a whole number and a unit of kB, MB, GB or TB "
        "(512MB, 1GB)",
    ),
    (
        {"memory_limit": "512mb"},
        "memory_limit",
        "512mb",
        "memory_limit '512mb' must be a memory size: a whole number and a unit of kB, MB, GB or TB "
        "(512MB, 1GB)",
    ),
    (
        {"backup": {"schedule": "0 25 * * *"}},
        "backup.schedule",
        "0 25 * * *",
        "schedule '0 25 * * *' must be a 5-field cron schedule (minute hour day-of-month month day-of-week): "
        "hour 25 is not in 0-23",
    ),
    (
        {"backup": {"schedule": "@daily"}},
        "backup.schedule",
        "@daily",
        "schedule '@daily' must be a 5-field cron schedule (minute hour day-of-month month day-of-week): "
        "it has 1 field(s)",
    ),
    (
        {"backup": {"schedule": "*/0 * * * *"}},
        "backup.schedule",
        "*/0 * * * *",
        "schedule '*/0 * * * *' must be a 5-field cron schedule (minute hour day-of-month month "
        "day-of-week): minute step '0' is not a positive number",
    ),
    (
        {"backup": {"schedule": "0 2 * * funday"}},
        "backup.schedule",
        "0 2 * * funday",
        "schedule '0 2 * * funday' must be a 5-field cron schedule (minute hour day-of-month month "
        "day-of-week): day-of-week 'funday' is not a number",
    ),
    (
        {"replication": {"mode": "semi"}},
        "replication.mode",
        "semi",
        "unknown mode 'semi'; known: async, sync",
    ),
    (
        {"monitoring": {"log_level": "loud"}},
        "monitoring.log_level",
        "loud",
        "unknown log_level 'loud'; known: debug, info, warn, error",
    ),
    (
        {"monitoring": {"metrics_port": 99}},
        "monitoring.metrics_port",
        99,
        "metrics_port must be between 1024 and 65535",
    ),
    ({"backup": {"retention_days": 0}}, "backup.retention_days", 0, "retention_days must be at least 1"),
    ({"replication": {"replicas": 0}}, "replication.replicas", 0, "replicas must be at least 1"),
    (
        {"version": "fifteen"},
        "version",
        "fifteen",
        "version 'fifteen' must be a PostgreSQL major version (15) or a major.minor release (15.18)",
    ),
    (
        {"data_directory": "relative/data"},
        "data_directory",
        "relative/data",
        "data_directory 'relative/data' must be an absolute path at least two levels deep, of letters, "
        "digits, '.', '_' and '-' (/var/lib/customdb)",
    ),
    (
        {"data_directory": "/var/lib/../../etc"},
        "data_directory",
        "/var/lib/../../etc",
        "data_directory '/var/lib/../../etc' must be an absolute path at least two levels deep, of letters, "
        "digits, '.', '_' and '-' (/var/lib/customdb)",
    ),
    (
        {"log_directory": "/var/log/custom db"},
        "log_directory",
        "/var/log/custom db",
        "log_directory '/var/log/custom db' must be an absolute path at least two levels deep, of letters, "
        "digits, '.', '_' and '-' (/var/lib/customdb)",
    ),
    (
        {"name": "Orders_DB"},
        "name",
        "Orders_DB",
        "name 'Orders_DB' must be 1 to 63 lowercase letters, digits and dashes, starting with a letter and "
        "not ending with a dash",
    ),
    # cross-field rules
    (
        {"data_directory": "/var/log/customdb/data"},
        "data_directory",
        "/var/log/customdb/data",
        "data_directory '/var/log/customdb/data' must not be inside log_directory '/var/log/customdb'",
    ),
    (
        {"ssl": {"cert_file": "/etc/ssl/db/cert.pem"}},
        "ssl.key_file",
        None,
        "ssl.cert_file and ssl.key_file must be given together (ssl.cert_file is '/etc/ssl/db/cert.pem')",
    ),
    (
        {"monitoring": {"metrics_port": 5432}},
        "monitoring.metrics_port",
        5432,
        "monitoring.metrics_port must differ from port 5432",
    ),
]


def test_the_declaration_is_registered_by_type_token_through_the_entry_point() -> None:
    found = registry.declarations()["provisioning:taskservs:CustomDatabase"]
    assert found is CUSTOM_DATABASE and found.kind == "taskserv" and found.model is CustomDatabaseConfig


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
    assert CUSTOM_DATABASE.check({"name": "db"}) == []


def test_every_field_is_documented() -> None:
    assert undocumented_fields(CustomDatabaseConfig) == []


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


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=case_ids(BAD))
def test_each_rule_names_field_value_and_rule(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    [found] = CUSTOM_DATABASE.check({"name": "db", **values})
    assert (found.field, found.value, found.rule) == (field, value, rule)


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=case_ids(BAD))
def test_the_component_fails_before_registering_anything(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    error = refused(lambda: build_database(values))
    assert (error.field, error.value, error.rule) == (field, value, rule)
    assert str(error) == f"CustomDatabase 'db': invalid config: {field}: {rule} (got {value!r})"
    assert isinstance(error, pulumi.RunError)  # Pulumi prints the message without a traceback


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
