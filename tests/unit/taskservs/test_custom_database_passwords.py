"""CustomDatabase's constructor, the one the database services share: `passwords={"postgres": …}` and
`replication_password=` (default: the postgres role's), `admin_password=` kept as a deprecated alias; the
rules on them at preview, the passwords only on stdin (as secrets), and the web stack's one call."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from provisioning.components.clusters.web_stack.blueprint import DATABASES

from .mocks import RecordingMocks, refused, target

PASSWORD = "s3cret-password"
REPLICATION_PASSWORD = "r3plication-password"
REPLICATED = {"replication": {"enabled": True, "replicas": 1}}


def _database(values: dict[str, Any], *, replicas: int = 0, **passwords: Any) -> Any:
    from provisioning.components.taskservs.custom_database import CustomDatabase

    standbys = [target(f"10.0.0.{6 + i}") for i in range(replicas)]
    return CustomDatabase("db", values, target=target("10.0.0.5"), replicas=standbys, **passwords)


def _registered(build: Callable[[], Any]) -> dict[str, dict[str, Any]]:
    """Every resource `build()` registers under mocks, by name, with its inputs."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, preview=False)

    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(build().healthy)

    try:
        run()
    finally:
        pulumi.runtime.settings.reset_options()
    return {args.name: dict(args.inputs) for args in mocks.created}


def _secret_value(value: Any) -> Any:
    """The value of a secret input (failing when the input is not a secret)."""
    assert isinstance(value, dict) and value.get(pulumi.runtime.rpc._special_sig_key) == (
        pulumi.runtime.rpc._special_secret_sig
    ), value
    return value["value"]


@pytest.mark.parametrize("values", [{}, REPLICATED], ids=["alone", "replicated"])
def test_passwords_register_what_admin_password_did(values: dict[str, Any]) -> None:
    replicas = 1 if values else 0
    secret = pulumi.Output.secret
    given = _registered(
        lambda: _database(values, replicas=replicas, passwords={"postgres": secret(PASSWORD)})
    )
    with pytest.warns(DeprecationWarning):
        aliased = _registered(lambda: _database(values, replicas=replicas, admin_password=secret(PASSWORD)))
    assert given == aliased
    assert _secret_value(given["db-credentials"]["stdin"]) == PASSWORD
    if replicas:
        assert _secret_value(given["db-replica-0-credentials"]["stdin"]) == PASSWORD


def test_admin_password_warns_naming_its_replacement() -> None:
    with pytest.warns(
        DeprecationWarning, match=r"admin_password= is deprecated: pass passwords=\{'postgres'"
    ):
        _registered(lambda: _database({}, admin_password=PASSWORD))


def test_a_replication_password_given_is_the_replicator_roles() -> None:
    given = _registered(
        lambda: _database(
            REPLICATED,
            replicas=1,
            passwords={"postgres": PASSWORD},
            replication_password=REPLICATION_PASSWORD,
        )
    )
    primary, standby = given["db-credentials"], given["db-replica-0-credentials"]
    assert _secret_value(primary["stdin"]) == f"{PASSWORD}\n{REPLICATION_PASSWORD}"
    assert 'replicator_sql "$replicator_quoted"' in primary["create"]
    assert _secret_value(standby["stdin"]) == REPLICATION_PASSWORD
    assert _secret_value(given["db-replica-0-health"]["stdin"]) == PASSWORD
    scripts = [str(inputs.get(key)) for inputs in given.values() for key in ("create", "update", "delete")]
    assert not any(PASSWORD in text or REPLICATION_PASSWORD in text for text in scripts)


def test_a_replication_password_equal_to_the_postgres_one_changes_nothing() -> None:
    default = _registered(lambda: _database(REPLICATED, replicas=1, passwords={"postgres": PASSWORD}))
    same = _registered(
        lambda: _database(
            REPLICATED, replicas=1, passwords={"postgres": PASSWORD}, replication_password=PASSWORD
        )
    )
    assert same == default


def test_admin_password_and_passwords_together_are_refused() -> None:
    with pytest.warns(DeprecationWarning):
        error = refused(lambda: _database({}, admin_password=PASSWORD, passwords={"postgres": PASSWORD}))
    assert (error.field, error.rule) == (
        "admin_password",
        "admin_password (deprecated) and passwords were both given: give passwords={'postgres': ...}",
    )


@pytest.mark.parametrize(
    ("passwords", "got"),
    [
        (None, []),
        ({}, []),
        ({"app": PASSWORD}, ["app"]),
        ({"postgres": PASSWORD, "app": PASSWORD}, ["app", "postgres"]),
    ],
    ids=["not-given", "empty", "other-key", "extra-key"],
)
def test_passwords_must_hold_exactly_the_postgres_key(
    passwords: dict[str, str] | None, got: list[str]
) -> None:
    error = refused(lambda: _database({}, passwords=passwords))
    assert (error.field, error.value) == ("passwords", got)
    assert error.rule == "passwords must hold exactly the key 'postgres' (the postgres role's password)"
    assert PASSWORD not in str(error)


def test_a_replication_password_without_replication_is_refused() -> None:
    error = refused(
        lambda: _database({}, passwords={"postgres": PASSWORD}, replication_password=REPLICATION_PASSWORD)
    )
    assert (error.field, error.rule) == (
        "replication_password",
        "replication_password was given but replication.enabled is false",
    )
    assert REPLICATION_PASSWORD not in str(error)


@pytest.mark.parametrize(
    ("kind", "name"),
    [("custom-database", "CustomDatabase"), ("postgresql", "PostgreSQL"), ("mysql", "MariaDB")],
)
def test_the_web_stack_finds_each_service_class_in_its_table(kind: str, name: str) -> None:
    from provisioning.components.taskservs._database.component import PasswordDatabase

    service = DATABASES[kind].component()
    assert service.__name__ == name and issubclass(service, PasswordDatabase)
    assert service.declaration is DATABASES[kind].declaration


@pytest.mark.parametrize(
    "inputs",
    [{"passwords": {"postgres": PASSWORD}}, {"admin_password": PASSWORD}],
    ids=["passwords", "adminPassword"],
)
def test_the_component_packages_custom_database_takes_the_same_passwords(
    inputs: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from provisioning.components.package._served import CustomDatabaseHost
    from provisioning.sdk import ssh

    monkeypatch.setattr(ssh, "verified_host_key", lambda host, port, fingerprints: "ssh-ed25519 AAAA")
    machine = {"host": "10.0.0.5", "host_key_fingerprints": ["SHA256:x"], "ssh_private_key": "not-a-key"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        given = _registered(lambda: CustomDatabaseHost("db", {**machine, "max_connections": 50, **inputs}))
    assert _secret_value(given["db-credentials"]["stdin"]) == PASSWORD
