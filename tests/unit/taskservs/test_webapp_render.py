"""WebApp's rendered files against fixtures (`fixtures_webapp/<scenario>/<path on the host>`); its step
scripts are valid POSIX sh and each concerns only what it needs (a version change touches the release step
and the health checks alone); the component registers its steps under Pulumi mocks, the release step after
`release_after`, the password on stdin only."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pytest

from provisioning.components.taskservs.webapp.render import APP_SOURCE, PATHS, config_files, scripts
from provisioning.components.taskservs.webapp.spec import WebAppConfig
from tests.support.tools import assert_posix_sh

from .mocks import RecordingMocks, assert_service, files_under, target

FIXTURES = Path(__file__).with_name("fixtures_webapp")
DATABASE = {"host": "shop-db-primary"}
SCENARIOS: dict[str, WebAppConfig] = {
    "defaults": WebAppConfig(name="app", database=DATABASE),
    "tuned": WebAppConfig(
        name="shop-app-1",
        app_name="My Shop",
        environment="staging",
        version="2.1.0",
        port=9000,
        health_check_path="/-/healthy",
        database={"kind": "mysql", "host": "10.70.0.9", "name": "orders", "user": "shop"},
        drain_seconds=10,
    ),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_files_match_the_fixtures(scenario: str) -> None:
    files = config_files(SCENARIOS[scenario])
    assert files.pop(PATHS["app_file"]) == APP_SOURCE.read_text()
    assert files == files_under(FIXTURES / scenario)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_step_scripts_are_posix_sh(scenario: str) -> None:
    for name, script in scripts(SCENARIOS[scenario]).items():
        assert_posix_sh(name, script)


def test_the_unit_runs_the_application_as_its_user_with_its_settings() -> None:
    unit = config_files(SCENARIOS["defaults"])[PATHS["unit_file"]]
    assert "\nUser=webapp\nGroup=webapp\n" in unit and "\nEnvironmentFile=/etc/webapp/webapp.env\n" in unit
    [command] = re.findall(r"(?m)^ExecStart=/bin/sh -c '(.*)'$", unit)
    command = command.replace("$$", "$")  # systemd's escape of a literal $
    version = 'WEBAPP_VERSION="$(cat /etc/webapp/version)"'
    assert command.endswith(f"{version} /usr/bin/python3 /opt/webapp/server.py")
    done = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_change_touches_only_the_steps_it_concerns() -> None:
    base = SCENARIOS["defaults"]

    def changed(**values: Any) -> set[str]:
        before, after = scripts(base), scripts(base.model_copy(update=values))
        return {name for name in before if before[name] != after[name]}

    assert changed(version="2.0") == {"release", "health"}
    assert changed(drain_seconds=8) == {"release"}
    assert changed(app_name="Other") == {"configure"}
    assert changed(database=base.database.model_copy(update={"host": "10.70.0.5"})) == {"configure"}
    assert changed(database=base.database.model_copy(update={"kind": "mysql"})) == {"install", "configure"}


def test_the_release_drains_before_the_restart_and_waits_after_it() -> None:
    script = scripts(SCENARIOS["tuned"])["release"]
    assert "VERSION=2.1.0" in script and '"$base"/-/healthy' in script
    release = script[script.index("drained=") :]
    order = [
        "touch /run/webapp/draining",
        "sleep 10",
        "service_ctl stop webapp",
        "put_file /etc/webapp/version",
        "\nrm -f /run/webapp/draining",
        "service_start webapp",
        "wait_until 60 healthy",
        "reports version '$(reported)'",
    ]
    positions = [release.index(text) for text in order]
    assert positions == sorted(positions)
    assert release.rindex("sleep 10") > release.index("wait_until 60 healthy")


def test_the_password_is_read_from_stdin_into_a_private_file() -> None:
    credentials = scripts(SCENARIOS["defaults"])["credentials"]
    assert "umask 077" in credentials
    assert "put_file /etc/webapp/database-password 0600 webapp:webapp\n" in credentials


@pulumi.runtime.test
def test_the_component_registers_its_steps_and_outputs(mocks: RecordingMocks) -> pulumi.Output[Any]:
    from pulumi_command import remote

    from provisioning.components.taskservs.webapp import WebApp

    before = remote.Command("previous-release", connection=target("10.0.0.8").connection, create="true")
    app = WebApp(
        "app",
        {"version": "1.0", "database": DATABASE},
        target=target("10.0.0.9"),
        database_password=pulumi.Output.secret("pa55 word"),
        release_after=[before],
    )

    def check(values: list[Any]) -> None:
        endpoint, metadata, release_urn, _ = values
        assert endpoint == "10.0.0.9:8080"
        assert_service(metadata, "webapp", "application", [8080])
        assert metadata["dependencies"] == ["python3", "python3-psycopg2", "curl"]
        by_name = mocks.by_name
        assert by_name["app"].typ == "provisioning:taskservs:WebApp"
        steps = ["remove", "install", "credentials", "configure", "release", "health"]
        assert mocks.commands == ["previous-release", *(f"app-{step}" for step in steps)]
        assert release_urn.endswith("app-release")
        stdin = by_name["app-credentials"].inputs["stdin"]
        assert isinstance(stdin, dict) and stdin["value"] == "pa55 word"  # a secret
        assert all("pa55" not in str(args.inputs.get("create")) for args in mocks.created)
        assert "VERSION=1.0" in by_name["app-release"].inputs["create"]

    return pulumi.Output.all(app.endpoint, app.service_metadata, app.release.urn, app.checks).apply(check)
