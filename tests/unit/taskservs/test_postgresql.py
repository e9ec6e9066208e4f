"""PostgreSQL: its defaults, the rules on the component's arguments (the config's rules are in
`test_database_checks`), the rendered files and scripts (`sh -n`, only what a change concerns), and the
component under Pulumi mocks (steps, passwords on stdin only, health read from the report)."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pytest

from provisioning.components.taskservs.postgresql import PostgreSQLConfig
from provisioning.components.taskservs.postgresql.render import config_files, scripts
from provisioning.sdk.taskservice.credentials import credentials_input
from tests.support.tools import assert_posix_sh

from .mocks import RecordingMocks, refused, target, undocumented_fields

APP = {"users": [{"name": "app", "createdb": True}], "databases": [{"name": "shop", "owner": "app"}]}
PASSWORD = "s3cret'pass word"
REPLICATED = {"replication": {"enabled": True, "replicas": 2}}


def test_defaults_and_every_field_documented() -> None:
    config = PostgreSQLConfig(name="pg")
    assert (config.version, config.port, config.max_connections) == ("15", 5432, 100)
    assert config.listen_addresses == ["*"] and config.databases == [] and config.users == []
    assert config.replication.model_dump() == {"enabled": False, "replicas": 1}
    assert config.backup.model_dump() == {
        "enabled": False, "schedule": "0 2 * * *", "retention_days": 7,
        "storage_location": "/var/backups/postgresql",
    }  # fmt: skip
    assert config.monitoring.model_dump() == {"enabled": False, "metrics_port": 9187, "log_level": "info"}
    assert undocumented_fields(PostgreSQLConfig) == []


def test_every_user_needs_a_password_and_every_password_a_user() -> None:
    from provisioning.components.taskservs.postgresql import PostgreSQL

    error = refused(lambda: PostgreSQL("pg", APP, target=target("10.0.0.9"), passwords={"other": "x"}))
    assert "users: users 'app' has no password in passwords={...} (got 'app')" in str(error)
    assert "users: passwords has 'other', which is not one of users (got 'other')" in str(error)


ARGUMENTS = [
    (REPLICATED, 1, "x", "replication.replicas", 2,
     "replication.replicas is 2 but 1 replica target(s) were given (replicas=[...])"),
    ({}, 1, None, "replication.enabled", False,
     "1 replica target(s) were given but replication.enabled is false"),
    (REPLICATED, 2, None, "replication_password", None,
     "replication.enabled needs replication_password=<secret> (the replicator role's password)"),
    ({}, 0, "x", "replication_password", "[secret]",
     "replication_password was given but replication.enabled is false"),
]  # fmt: skip


@pytest.mark.parametrize(("values", "replicas", "password", "field", "value", "rule"), ARGUMENTS)
def test_replica_targets_and_the_replication_password_match_the_config(
    values: dict[str, Any], replicas: int, password: str | None, field: str, value: Any, rule: str
) -> None:
    from provisioning.components.taskservs.postgresql import PostgreSQL

    error = refused(
        lambda: PostgreSQL(
            "pg",
            values,
            target=target("10.0.0.9"),
            replication_password=password,
            replicas=[target(f"10.0.0.{10 + i}") for i in range(replicas)],
        )
    )
    assert str(error) == f"PostgreSQL 'pg': invalid config: {field}: {rule} (got {value!r})"


def test_the_config_files() -> None:
    files = config_files(PostgreSQLConfig(name="pg", port=5433, listen_addresses=["10.0.0.5", "localhost"],
                                          max_connections=42))  # fmt: skip
    conf = files["/etc/postgresql/15/main/conf.d/provisioning.conf"]
    assert "port = 5433\n" in conf and "listen_addresses = '10.0.0.5,localhost'\n" in conf
    assert "max_connections = 42\n" in conf
    assert (
        "host    all       all   0.0.0.0/0     scram-sha-256" in files["/etc/postgresql/15/main/pg_hba.conf"]
    )


def test_every_script_is_posix_sh_and_holds_no_password() -> None:
    for name, script in scripts(PostgreSQLConfig(name="pg", **APP)).items():
        assert_posix_sh(name, script)
        assert PASSWORD not in script
    assert 'CREATE DATABASE "shop" OWNER "app"' in scripts(PostgreSQLConfig(name="pg", **APP))["credentials"]


def test_a_change_touches_only_the_steps_it_concerns() -> None:
    before = scripts(PostgreSQLConfig(name="pg", **APP))
    backed = scripts(PostgreSQLConfig(name="pg", backup={"enabled": True}, **APP))
    changed = {
        "max_connections": (before, scripts(PostgreSQLConfig(name="pg", max_connections=7, **APP))),
        "users": (before, scripts(PostgreSQLConfig(name="pg", users=[{"name": "app"}],
                                                   databases=APP["databases"]))),
        "monitoring": (before, scripts(PostgreSQLConfig(name="pg", monitoring={"enabled": True}, **APP))),
        "backup": (before, backed),
        "schedule": (backed, scripts(PostgreSQLConfig(name="pg", backup={"enabled": True,
                                                                          "schedule": "5 4 * * *"}, **APP))),
        "replication": (before, scripts(PostgreSQLConfig(name="pg", **REPLICATED, **APP))),
    }  # fmt: skip
    differ = {
        k: sorted(s for s in {*old, *new} if old.get(s) != new.get(s)) for k, (old, new) in changed.items()
    }
    assert differ == {
        "max_connections": ["configure"],
        "users": ["credentials"],
        # the exporter's and cron's packages, their files, their checks
        "monitoring": ["configure", "health", "install"],
        "backup": ["configure", "health", "install"],
        "schedule": ["configure", "health"],
        # the replication settings and role, and the primary's check of its standbys (a new step)
        "replication": ["configure", "credentials", "standbys-health"],
    }


def test_credentials_input_is_one_base64_line_per_user() -> None:
    text = credentials_input({"b": PASSWORD, "a": "x"})
    assert text.splitlines()[0] == "a " + base64.b64encode(b"x").decode()
    assert PASSWORD not in text and base64.b64decode(text.splitlines()[1].split()[1]).decode() == PASSWORD
    with_replication = credentials_input({"app": "x", "replicator": "r:pass"})
    assert with_replication.splitlines()[1] == "replicator " + base64.b64encode(b"r:pass").decode()


@pulumi.runtime.test
def test_postgresql_steps_under_mocks(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from provisioning.components.taskservs.postgresql import PostgreSQL

    pg = PostgreSQL("pg", APP, target=target("10.0.0.5"), passwords={"app": pulumi.Output.secret(PASSWORD)})

    def check(values: list[Any]) -> None:
        endpoint, healthy, metadata = values
        assert endpoint == "10.0.0.5:5432" and healthy is True
        assert metadata["name"] == "postgresql" and metadata["category"] == "database"
        assert metadata["dependencies"] == ["postgresql-15", "postgresql-client-15"]
        by_name = mocks.by_name
        assert mocks.commands == ["pg-remove", "pg-install", "pg-configure", "pg-credentials", "pg-health"]
        assert by_name["pg"].typ == "provisioning:taskservs:PostgreSQL"
        stdin = by_name["pg-credentials"].inputs["stdin"]
        assert stdin[pulumi.runtime.rpc._special_sig_key] == pulumi.runtime.rpc._special_secret_sig
        assert stdin["value"] == credentials_input({"app": PASSWORD})
        assert "stdin" not in by_name["pg-health"].inputs
        assert "pg_dropcluster" in by_name["pg-remove"].inputs["delete"]
        for args in mocks.created:
            for key in ("create", "update", "delete"):
                assert PASSWORD not in str(args.inputs.get(key, ""))

    return pulumi.Output.all(pg.endpoint, pg.healthy, pg.service_metadata).apply(check)


@pulumi.runtime.test
def test_a_primary_and_two_replicas_under_mocks(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from provisioning.components.taskservs.postgresql import PostgreSQL

    pg = PostgreSQL(
        "pg", {**APP, **REPLICATED, "monitoring": {"enabled": True}}, target=target("10.0.0.5"),
        passwords={"app": pulumi.Output.secret(PASSWORD)},
        replicas=[target("10.0.0.6"), target("10.0.0.7")],
        replication_password=pulumi.Output.secret("repl:pass"),
    )  # fmt: skip

    def check(values: list[Any]) -> None:
        endpoint, replicas, metadata, healthy, _ = values
        assert healthy is True and endpoint == "10.0.0.5:5432"
        assert replicas == ["10.0.0.6:5432", "10.0.0.7:5432"]
        assert metadata["ports"] == [5432, 9187]
        by_name = mocks.by_name
        replica = ["remove", "install", "standby", "configure", "health"]
        # (registered as their dependencies resolve: the replicas' first steps wait for nothing)
        assert sorted(mocks.commands) == sorted([
            "pg-remove", "pg-install", "pg-configure", "pg-credentials", "pg-health",
            *(f"pg-replica-{i}-{step}" for i in (0, 1) for step in replica),
            "pg-standbys-health",
        ])  # fmt: skip
        stdin = by_name["pg-credentials"].inputs["stdin"]["value"]
        assert stdin == credentials_input({"app": PASSWORD, "replicator": "repl:pass"})
        standby = by_name["pg-replica-1-standby"].inputs
        assert standby["stdin"][pulumi.runtime.rpc._special_sig_key] == pulumi.runtime.rpc._special_secret_sig
        assert standby["stdin"]["value"] == "repl:pass"
        assert "PRIMARY=10.0.0.5" in standby["create"] and "pg_basebackup" in standby["create"]
        assert "application_name=pg_replica_1" in by_name["pg-replica-1-configure"].inputs["create"]
        assert "pg_stat_replication" in by_name["pg-standbys-health"].inputs["create"]
        for args in mocks.created:
            scripts = " ".join(str(args.inputs.get(key, "")) for key in ("create", "update", "delete"))
            assert PASSWORD not in scripts and "repl:pass" not in scripts

    # planned_changes comes from the plan resource, registered after every step
    outputs = (pg.endpoint, pg.replica_endpoints, pg.service_metadata, pg.healthy, pg.planned_changes)
    return pulumi.Output.all(*outputs).apply(check)
