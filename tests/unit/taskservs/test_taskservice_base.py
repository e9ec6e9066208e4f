"""The task service base: change planning, health records, the template helpers, the plan resource's
provider, and a CustomDatabase under Pulumi mocks (its steps, their order, their inputs, its outputs)."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any

import pulumi
import pytest

from provisioning.sdk.taskservice import (
    TemplateLibrary,
    fingerprint,
    parse_health,
    planned_changes,
    put_file,
    remote_command,
    secret_fingerprint,
)
from provisioning.sdk.taskservice.plan import _PlanProvider
from provisioning.sdk.unknowns import UNKNOWN

from .mocks import HEALTH_REPORT, RecordingMocks, build_database

CATEGORIES = {
    "version": ("install", "update"),
    "install": ("install", "install"),
    "configure": ("configure", "configure"),
}


def test_planned_changes_compare_fingerprints_with_the_last_up() -> None:
    olds = {"version": "v1", "install": "i1", "configure": "c1"}
    assert planned_changes({}, olds, CATEGORIES) == ["install", "configure"]
    assert planned_changes(olds, olds, CATEGORIES) == []
    assert planned_changes(olds, {**olds, "configure": "c2"}, CATEGORIES) == ["configure"]
    assert planned_changes(olds, {**olds, "version": "v2"}, CATEGORIES) == ["update"]
    assert planned_changes(olds, {**olds, "version": "v2", "install": "i2"}, CATEGORIES) == [
        "install",
        "update",
    ]
    assert planned_changes(olds, {**olds, "configure": UNKNOWN}, CATEGORIES) == ["configure"]


def test_fingerprints() -> None:
    assert fingerprint("a", None) != fingerprint("a", "") != fingerprint("a")
    assert fingerprint("ab", "c") != fingerprint("a", "bc")
    slow = secret_fingerprint("credentials", "pw")
    assert slow == secret_fingerprint("credentials", "pw") != secret_fingerprint("health", "pw")
    assert "pw" not in slow and len(slow) == 64


def test_plan_provider_reports_at_check_and_records_on_apply() -> None:
    provider = _PlanProvider()
    categories = {step: list(pair) for step, pair in CATEGORIES.items()}
    news = {"fingerprints": {"version": "v1", "install": "i1", "configure": "c1"}, "categories": categories,
            "secret_fingerprints": {"credentials": "s1"}}  # fmt: skip
    first = provider.check({}, news)
    assert first.inputs["planned_changes"] == ["install", "configure"] and not first.failures
    created = provider.create(first.inputs)
    assert created.outs["planned_changes"] == []  # nothing left to run once the up is done
    again = provider.check(
        first.inputs, {**news, "fingerprints": {**news["fingerprints"], "configure": "c2"}}
    )
    assert again.inputs["planned_changes"] == ["configure"]
    assert provider.diff("id", created.outs, again.inputs).changes
    assert not provider.diff("id", created.outs, provider.check(first.inputs, news).inputs).changes
    secret_changed = provider.check(first.inputs, {**news, "secret_fingerprints": {"credentials": "s2"}})
    assert provider.diff("id", created.outs, secret_changed.inputs).changes
    assert provider.update("id", created.outs, again.inputs).outs["planned_changes"] == []
    assert provider.__getstate__() == {}


def test_a_step_with_a_secret_is_planned_when_its_script_alone_changes() -> None:
    """A step with a secret input (credentials) has two fingerprints: a new script (a database added) plans
    it as much as a new secret (a password changed) does."""
    provider = _PlanProvider()
    categories = {"credentials": ["configure", "configure"]}
    olds = {"fingerprints": {"credentials": "c1"}, "secret_fingerprints": {"credentials": "s1"},
            "categories": categories}  # fmt: skip
    script_changed = {**olds, "fingerprints": {"credentials": "c2"}}
    secret_changed = {**olds, "secret_fingerprints": {"credentials": "s2"}}
    assert provider.check(olds, script_changed).inputs["planned_changes"] == ["configure"]
    assert provider.check(olds, secret_changed).inputs["planned_changes"] == ["configure"]
    assert provider.check(olds, olds).inputs["planned_changes"] == []


def test_health_records() -> None:
    report = parse_health(
        "log line\n" + HEALTH_REPORT + "check\tbackup\tfail\tcron is not running\t2026-01-01T00:00:01Z\n"
    )
    assert [(c.name, c.status) for c in report.checks] == [
        ("service", "pass"),
        ("connect", "pass"),
        ("backup", "fail"),
    ]
    assert report.facts == {"version": "15.18"} and not report.healthy
    assert parse_health(HEALTH_REPORT).healthy and not parse_health("").healthy
    assert parse_health(HEALTH_REPORT).prefixed("replica-0:").checks[0].name == "replica-0:service"


def test_put_file_writes_content_atomically(tmp_path: Path) -> None:
    target = tmp_path / "etc" / "x.conf"
    content = "a = 'b'\n$HOME `x` \\n\nPROVISIONING_FILE_NOT_THIS\n"
    library = TemplateLibrary(tmp_path)
    (tmp_path / "t.sh.j2").write_text("{{ put_file(path, content, '0600', owner) }}\n")
    owner = f"{subprocess.run(['id', '-un'], capture_output=True, text=True, check=True).stdout.strip()}:"
    script = library.step(
        "t.sh.j2", step="write", service="test", path=str(target), content=content, owner=owner
    )
    for _ in range(2):  # the second run finds the same content and leaves the file alone
        done = subprocess.run(["sh", "-eu", "-c", script], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    assert target.read_text() == content and oct(target.stat().st_mode & 0o777) == "0o600"
    assert done.stdout == ""  # said nothing: unchanged
    assert put_file("/x", "one") != put_file("/x", "two")


def test_a_step_runs_from_a_private_file_with_stdin_free(tmp_path: Path) -> None:
    command = remote_command("demo", 'IFS= read -r secret\necho "got ${#secret} characters"\n')
    done = subprocess.run(
        ["sh", "-c", command], input="hunter2\n", capture_output=True, text=True, check=True
    )
    assert done.stdout == "got 7 characters\n"
    assert "sudo -n sh -eu" in remote_command("demo", "true", sudo=True)
    assert shlex.split("sh -eu") == ["sh", "-eu"]


def test_fail_points_stop_a_step_once(tmp_path: Path) -> None:
    library = TemplateLibrary(tmp_path)
    (tmp_path / "t.sh.j2").write_text("fail_point demo.half\necho done\n")
    script = library.step("t.sh.j2", step="s", service="demo").replace(
        "/etc/provisioning/fail-points", str(tmp_path)
    )
    (tmp_path / "demo.half").touch()
    first = subprocess.run(["sh", "-eu", "-c", script], capture_output=True, text=True, check=False)
    assert first.returncode == 1 and "stopped at fail point demo.half" in first.stderr
    second = subprocess.run(["sh", "-eu", "-c", script], capture_output=True, text=True, check=False)
    assert second.returncode == 0 and second.stdout == "done\n"


@pulumi.runtime.test
def test_custom_database_steps_under_mocks(mocks: RecordingMocks) -> pulumi.Output[Any]:
    db = build_database({"max_connections": 150, "replication": {"enabled": True}}, replicas=1)

    def check(values: list[Any]) -> None:
        endpoint, version, healthy, status, checks, metadata, _planned = values
        assert endpoint == "10.0.0.5:5432" and version == "15.18" and healthy is True and status == "running"
        assert [c["name"] for c in checks] == ["service", "connect", "replica-0:service", "replica-0:connect"]
        assert metadata["name"] == "custom-database" and metadata["ports"] == [5432, 9187]
        assert metadata["data_directories"] == ["/var/lib/customdb/data", "/var/backups/customdb"]
        by_name = mocks.by_name
        assert mocks.commands == [
            "db-remove", "db-version", "db-install", "db-configure", "db-credentials", "db-health",
            "db-replica-0-remove", "db-replica-0-version", "db-replica-0-install", "db-replica-0-credentials",
            "db-replica-0-standby", "db-replica-0-configure", "db-replica-0-health",
        ]  # fmt: skip
        component = by_name["db"]
        assert component.typ == "provisioning:taskservs:CustomDatabase"
        assert component.inputs["max_connections"] == 150  # the policy pack sees the config
        assert by_name["db-plan"].typ == "pulumi-python:dynamic/provisioning:TaskServicePlan"
        configure = by_name["db-configure"].inputs
        assert "max_connections = 150" in configure["create"] and configure["update"] == configure["create"]
        assert "addPreviousOutputInEnv" in configure and configure["addPreviousOutputInEnv"] is False
        for name in ("db-credentials", "db-health"):
            stdin = by_name[name].inputs["stdin"]  # a secret, on stdin only
            assert stdin[pulumi.runtime.rpc._special_sig_key] == pulumi.runtime.rpc._special_secret_sig
            assert stdin["value"] == "s3cret-password"
        for args in mocks.created:
            for key in ("create", "update", "delete"):
                assert "s3cret-password" not in str(args.inputs.get(key, ""))
        assert "delete" in by_name["db-remove"].inputs and "delete" not in by_name["db-configure"].inputs
        assert "pg_upgrade" in by_name["db-version"].inputs["update"]
        assert "host=10.0.0.5" in by_name["db-replica-0-configure"].inputs["create"]  # primary_conninfo

    outputs = (
        db.endpoint,
        db.version,
        db.healthy,
        db.status,
        db.checks,
        db.service_metadata,
        db.planned_changes,
    )
    return pulumi.Output.all(*outputs).apply(check)


@pulumi.runtime.test
def test_a_machine_made_elsewhere_is_reached_with_its_host_key_pinned(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> pulumi.Output[Any]:
    from provisioning.sdk import ssh
    from provisioning.sdk.taskservice import target as target_module

    asked: list[tuple[str, int, list[str]]] = []

    def verified(host: str, port: int, fingerprints: list[str]) -> str:
        asked.append((host, port, fingerprints))
        return "ssh-ed25519 AAAAPINNED"

    monkeypatch.setattr(ssh, "verified_host_key", verified)
    key = pulumi.Output.secret("key")
    found = target_module.Target.host(
        "db.example", private_key=key, host_key_fingerprints=["SHA256:abc"], port=2222, user="admin",
        address="10.9.0.4",
    )  # fmt: skip
    connection = found.connection

    def check(values: list[Any]) -> None:
        host_key, port, address = values
        assert host_key == "ssh-ed25519 AAAAPINNED" and port == 2222.0 and address == "10.9.0.4"
        assert asked == [("db.example", 2222, ["SHA256:abc"])]
        assert found.user == "admin" and found.label == "db.example"

    return pulumi.Output.all(connection.host_key, connection.port, found.address).apply(check)
