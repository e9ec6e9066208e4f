"""PostgreSQL: the declaration and its rules (through the registry and the constructor), the rendered
files and scripts (`sh -n`, only what a change concerns), and the component under Pulumi mocks (steps,
passwords on stdin only, health read from the report)."""

from __future__ import annotations

import base64
import subprocess
from typing import Any

import pulumi
import pytest

from provisioning.components.taskservs.postgresql import POSTGRESQL, PostgreSQLConfig
from provisioning.components.taskservs.postgresql.render import config_files, credentials_input, scripts
from provisioning.sdk import registry
from provisioning.sdk.taskservice import InvalidConfig

from .mocks import RecordingMocks, target

APP = {"users": [{"name": "app", "createdb": True}], "databases": [{"name": "shop", "owner": "app"}]}
PASSWORD = "s3cret'pass word"

BAD = [
    ({"port": 80}, "port", 80, "port must be between 1024 and 65535"),
    ({"version": "15.x"}, "version", "15.x", "version '15.x' must be a PostgreSQL major version (15)"),
    ({"max_connections": 0}, "max_connections", 0, "max_connections must be positive"),
    ({"listen_addresses": ["10.0.0.300"]}, "listen_addresses", "10.0.0.300",
     "listen_addresses item '10.0.0.300' must be '*', 'localhost' or an IP address"),
    ({"listen_addresses": []}, "listen_addresses", [],
     "listen_addresses must name at least one address ('*')"),
    ({"databases": [{"name": "shop", "owner": "nobody"}]}, "databases", "nobody",
     "databases owner 'nobody' of 'shop' must be postgres or one of users"),
    ({"databases": [{"name": "a"}, {"name": "a"}]}, "databases", ["a"],
     "databases names must be unique (a repeat)"),
    ({"users": [{"name": "postgres"}]}, "users", "postgres",
     "users must not include postgres (the cluster's superuser)"),
]  # fmt: skip
IDS = [b[1] + "-" + str(b[2]) for b in BAD]


def test_the_declaration_is_registered_by_type_token() -> None:
    found = registry.declarations()["provisioning:taskservs:PostgreSQL"]
    assert found is POSTGRESQL and found.kind == "taskserv" and found.category == "database"
    assert registry.declaration_for_type("provisioning:taskservs:PostgreSQL") is POSTGRESQL


def test_defaults_and_every_field_documented() -> None:
    config = PostgreSQLConfig(name="pg")
    assert (config.version, config.port, config.max_connections) == ("15", 5432, 100)
    assert config.listen_addresses == ["*"] and config.databases == [] and config.users == []
    for name, info in PostgreSQLConfig.model_fields.items():
        assert info.description, f"{name} has no docstring"


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=IDS)
def test_each_rule_names_field_value_and_rule(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    [found] = POSTGRESQL.check({"name": "pg", **values})
    assert (found.field, found.value, found.rule) == (field, value, rule)


@pytest.mark.parametrize(("values", "field", "value", "rule"), BAD, ids=IDS)
def test_the_component_fails_before_registering_anything(
    values: dict[str, Any], field: str, value: Any, rule: str
) -> None:
    from provisioning.components.taskservs.postgresql import PostgreSQL

    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, preview=True)
    try:
        with pytest.raises(InvalidConfig) as raised:
            PostgreSQL("pg", values, target=target("10.0.0.9"))
    finally:
        pulumi.runtime.settings.reset_options()
    assert str(raised.value) == f"PostgreSQL 'pg': invalid config: {field}: {rule} (got {value!r})"
    assert mocks.created == []


def test_every_user_needs_a_password_and_every_password_a_user() -> None:
    from provisioning.components.taskservs.postgresql import PostgreSQL

    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, preview=True)
    try:
        with pytest.raises(InvalidConfig) as raised:
            PostgreSQL("pg", APP, target=target("10.0.0.9"), passwords={"other": "x"})
    finally:
        pulumi.runtime.settings.reset_options()
    assert "users: users 'app' has no password in passwords={...} (got 'app')" in str(raised.value)
    assert "users: passwords has 'other', which is not one of users (got 'other')" in str(raised.value)
    assert mocks.created == []


def test_the_config_files() -> None:
    files = config_files(PostgreSQLConfig(name="pg", port=5433, listen_addresses=["10.0.0.5", "localhost"],
                                          max_connections=42))  # fmt: skip
    conf = files["provisioning.conf"]
    assert "port = 5433\n" in conf and "listen_addresses = '10.0.0.5,localhost'\n" in conf
    assert "max_connections = 42\n" in conf
    assert "host    all       all   0.0.0.0/0     scram-sha-256" in files["pg_hba.conf"]


def test_every_script_is_posix_sh_and_holds_no_password() -> None:
    for name, script in scripts(PostgreSQLConfig(name="pg", **APP)).items():
        done = subprocess.run(["sh", "-n"], input=script, capture_output=True, text=True, check=False)
        assert done.returncode == 0, f"{name}: {done.stderr}"
        assert PASSWORD not in script
    assert 'CREATE DATABASE "shop" OWNER "app"' in scripts(PostgreSQLConfig(name="pg", **APP))["credentials"]


def test_a_change_touches_only_the_steps_it_concerns() -> None:
    before = scripts(PostgreSQLConfig(name="pg", **APP))
    changed = {
        "max_connections": scripts(PostgreSQLConfig(name="pg", max_connections=7, **APP)),
        "users": scripts(PostgreSQLConfig(name="pg", users=[{"name": "app"}], databases=APP["databases"])),
    }
    differ = {k: sorted(s for s in before if before[s] != after[s]) for k, after in changed.items()}
    assert differ == {"max_connections": ["configure"], "users": ["credentials"]}


def test_credentials_input_is_one_base64_line_per_user() -> None:
    text = credentials_input({"b": PASSWORD, "a": "x"})
    assert text.splitlines()[0] == "a " + base64.b64encode(b"x").decode()
    assert PASSWORD not in text and base64.b64decode(text.splitlines()[1].split()[1]).decode() == PASSWORD


@pytest.fixture
def mocks() -> Any:
    recording = RecordingMocks()
    pulumi.runtime.set_mocks(recording, preview=False)
    yield recording
    pulumi.runtime.settings.reset_options()


@pulumi.runtime.test
def test_postgresql_steps_under_mocks(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from provisioning.components.taskservs.postgresql import PostgreSQL

    pg = PostgreSQL("pg", APP, target=target("10.0.0.5"), passwords={"app": pulumi.Output.secret(PASSWORD)})

    def check(values: list[Any]) -> None:
        endpoint, healthy, metadata = values
        assert endpoint == "10.0.0.5:5432" and healthy is True
        assert metadata["name"] == "postgresql" and metadata["category"] == "database"
        assert metadata["dependencies"] == ["postgresql-15", "postgresql-client-15"]
        by_name = {args.name: args for args in mocks.created}
        commands = [args.name for args in mocks.created if args.typ == "command:remote:Command"]
        assert commands == ["pg-remove", "pg-install", "pg-configure", "pg-credentials", "pg-health"]
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
