"""MariaDB: its defaults and the rules on the component's arguments (the config's rules are in
`test_database_checks`), and the component under Pulumi mocks: the steps of the primary and of each
replica and their order, passwords only on stdin (as secrets), the outputs (endpoint, replica_endpoints,
metadata)."""

from __future__ import annotations

import base64
from typing import Any

import pulumi

from provisioning.components.taskservs.mariadb import MariaDBConfig
from provisioning.sdk.taskservice.credentials import credentials_input

from .mocks import RecordingMocks, refused, target, undocumented_fields

APP = {"users": [{"name": "app"}], "databases": [{"name": "shop", "owner": "app"}]}
PASSWORD = "s3cret'pass\\word"
REPLICATION_PASSWORD = "r3pl:secret"


def test_defaults_and_every_field_documented() -> None:
    config = MariaDBConfig(name="db")
    assert (config.version, config.port, config.max_connections) == ("10.11", 3306, 100)
    assert (config.replication.enabled, config.replication.replicas) == (False, 1)
    backup = config.backup
    assert (backup.enabled, backup.schedule, backup.retention_days) == (False, "0 2 * * *", 7)
    assert (config.monitoring.enabled, config.monitoring.metrics_port) == (False, 9104)
    assert config.keep_data is False and config.users == [] and config.databases == []
    assert undocumented_fields(MariaDBConfig) == []


def _invalid(values: dict[str, Any], **kwargs: Any) -> str:
    """The InvalidConfig message of a MariaDB built under preview mocks; nothing may be registered."""
    from provisioning.components.taskservs.mariadb import MariaDB

    return str(refused(lambda: MariaDB("db", values, target=target("10.60.0.5"), **kwargs)))


def test_every_user_needs_a_password_and_every_password_a_user() -> None:
    message = _invalid(APP, passwords={"other": "x"})
    assert "users: users 'app' has no password in passwords={...} (got 'app')" in message
    assert "users: passwords has 'other', which is not one of users (got 'other')" in message


def test_replica_targets_match_the_config_and_need_a_replication_password() -> None:
    replicated = {"replication": {"enabled": True, "replicas": 2}}
    message = _invalid(replicated, replicas=[target("10.60.0.6")], replication_password="x")
    assert message == (
        "MariaDB 'db': invalid config: replication.replicas: replication.replicas is 2 but 1 replica "
        "target(s) were given (replicas=[...]) (got 2)"
    )
    assert _invalid({}, replicas=[target("10.60.0.6")]) == (
        "MariaDB 'db': invalid config: replication.enabled: 1 replica target(s) were given but "
        "replication.enabled is false (got False)"
    )
    message = _invalid({"replication": {"enabled": True}}, replicas=[target("10.60.0.6")])
    assert message == (
        "MariaDB 'db': invalid config: replication.enabled: replication.enabled needs "
        "replication_password=<secret> (the replicator's password) (got True)"
    )


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(pulumi.runtime.rpc._special_sig_key) == (
        pulumi.runtime.rpc._special_secret_sig
    )


@pulumi.runtime.test
def test_primary_and_replica_steps_under_mocks(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from provisioning.components.taskservs.mariadb import MariaDB

    db = MariaDB(
        "db",
        {**APP, "replication": {"enabled": True}, "monitoring": {"enabled": True}},
        target=target("10.60.0.5"),
        passwords={"app": pulumi.Output.secret(PASSWORD)},
        replicas=[target("10.60.0.6")],
        replication_password=pulumi.Output.secret(REPLICATION_PASSWORD),
    )

    def check(values: list[Any]) -> None:
        endpoint, replica_endpoints, healthy, metadata = values
        assert endpoint == "10.60.0.5:3306" and replica_endpoints == ["10.60.0.6:3306"]
        assert healthy is True
        assert metadata["name"] == "mariadb" and metadata["category"] == "database"
        assert metadata["ports"] == [3306, 9104] and metadata["version"] == "10.11"
        assert metadata["dependencies"] == ["mariadb-server", "mariadb-client", "prometheus-mysqld-exporter"]
        by_name = mocks.by_name
        assert by_name["db"].typ == "provisioning:taskservs:MariaDB"
        primary = ["db-remove", "db-install", "db-configure", "db-credentials", "db-health"]
        replica = ["remove", "install", "configure", "standby", "credentials", "health"]
        assert sorted(mocks.commands) == sorted(primary + [f"db-replica-0-{name}" for name in replica])
        stdin = by_name["db-credentials"].inputs["stdin"]
        assert _is_secret(stdin)
        assert stdin["value"] == credentials_input({"app": PASSWORD, "replicator": REPLICATION_PASSWORD})
        standby = by_name["db-replica-0-standby"].inputs["stdin"]
        assert _is_secret(standby) and standby["value"] == REPLICATION_PASSWORD
        for name in ("db-health", "db-replica-0-credentials", "db-replica-0-health"):
            assert "stdin" not in by_name[name].inputs
        assert "CHANGE MASTER TO" in by_name["db-replica-0-standby"].inputs["create"]
        assert 'rm -rf "$DATA"' in by_name["db-remove"].inputs["delete"]
        for args in mocks.created:
            for key in ("create", "update", "delete"):
                text = str(args.inputs.get(key, ""))
                assert PASSWORD not in text and REPLICATION_PASSWORD not in text
                assert base64.b64encode(PASSWORD.encode()).decode() not in text

    outputs = [db.endpoint, db.replica_endpoints, db.healthy, db.service_metadata]
    return pulumi.Output.all(*outputs).apply(check)


@pulumi.runtime.test
def test_a_replica_is_copied_only_once_the_primary_is_healthy(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from provisioning.components.taskservs.mariadb import MariaDB

    db = MariaDB(
        "db",
        {"replication": {"enabled": True, "replicas": 2}},
        target=target("10.60.0.5"),
        replicas=[target("10.60.0.6"), target("10.60.0.7")],
        replication_password="x",
    )
    # what each step waits for (None: the step before it)
    after = {step.name: step.after for step in db.steps(db.config, target("10.60.0.5"))}
    assert after["remove"] is None and after["install"] == ("remove",)
    assert after["replica-0-remove"] == () and after["replica-1-remove"] == ()
    assert after["replica-0-install"] == ("replica-0-remove",)
    assert after["replica-1-standby"] == ("replica-1-configure", "health")
    assert after["replica-1-credentials"] == ("replica-1-standby",)
    assert after["replica-0-health"] == ("replica-0-credentials",)
    return db.replica_endpoints.apply(lambda found: assert_equal(found, ["10.60.0.6:3306", "10.60.0.7:3306"]))


def assert_equal(found: Any, wanted: Any) -> None:
    assert found == wanted
