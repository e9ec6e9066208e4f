"""`provisioning status`: task services and their health steps found in a fake stack export, secrets
unwrapped but never printed, the table, `--json` and the exit status."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from provisioning import cli
from provisioning.cli import status
from provisioning.cli._common import CliError

URN = "urn:pulumi:dev::database::"
DB = URN + "provisioning:taskservs:CustomDatabase::db"
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material\n-----END OPENSSH PRIVATE KEY-----\n"
PASSWORD = "pa55'word"


def secret(value: Any) -> dict[str, str]:
    return {status.SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "plaintext": json.dumps(value)}


def command(name: str, host: str = "100.77.0.5", *, stdin: Any = None) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "connection": secret({"host": host, "port": 2222, "user": "root", "privateKey": KEY,
                              "hostKey": "ssh-ed25519 AAAAhost", "dialErrorLimit": 20}),
        "create": f"echo {name}",
        "update": f"echo {name}",
    }  # fmt: skip
    if stdin is not None:
        inputs["stdin"] = stdin
    return {"urn": URN + f"{DB.split('::', 2)[2].split('::')[0]}$command:remote:Command::{name}",
            "type": "command:remote:Command", "custom": True, "parent": DB, "inputs": inputs}  # fmt: skip


def export() -> dict[str, Any]:
    return {
        "deployment": {
            "resources": [
                {"urn": URN + "pulumi:pulumi:Stack::database-dev", "type": "pulumi:pulumi:Stack"},
                {"urn": URN + "pulumi-python:dynamic/custom-cloud:Server::db-primary", "custom": True,
                 "type": "pulumi-python:dynamic/custom-cloud:Server",
                 "outputs": {"ssh_host": "100.77.0.5", "ssh_port": 2222}},
                {"urn": DB, "type": "provisioning:taskservs:CustomDatabase"},
                command("db-install"),
                command("db-health", stdin=secret(PASSWORD)),
                command("db-replica-0-health", host="100.77.0.6", stdin=secret(PASSWORD)),
                {"urn": URN + "other:Thing::x-health", "type": "command:remote:Command", "parent": DB + "x"},
            ]
        }
    }  # fmt: skip


def test_the_health_steps_of_each_task_service_are_found_with_their_connection() -> None:
    probes = status.probes_from_state(export())
    assert [(p.service, p.server, p.host, p.port, p.user) for p in probes] == [
        ("db", "db-primary", "100.77.0.5", 2222, "root"),
        ("db (replica-0)", "100.77.0.6:2222", "100.77.0.6", 2222, "root"),
    ]
    assert probes[0].script == "echo db-health" and probes[0].stdin == PASSWORD
    assert probes[0].private_key == KEY and probes[0].host_key == "ssh-ed25519 AAAAhost"
    assert probes[0].type == "provisioning:taskservs:CustomDatabase"
    assert KEY not in repr(probes[0]) and PASSWORD not in repr(probes[0])


def test_an_export_without_the_passphrase_is_refused_naming_what_is_encrypted() -> None:
    data = export()
    step = data["deployment"]["resources"][4]
    step["inputs"]["connection"] = {status.SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "x"}
    with pytest.raises(CliError, match="db's health step's connection is encrypted"):
        status.probes_from_state(data)


def test_resources_that_are_no_task_service_are_left_out() -> None:
    assert (
        status.probes_from_state({"deployment": {"resources": export()["deployment"]["resources"][:2]}}) == []
    )


def probe() -> status.HealthProbe:
    return status.probes_from_state(export())[0]


def test_the_records_say_running_unhealthy_or_unreachable() -> None:
    ok = "log line\ncheck\tservice\tpass\tcustomdb is running\t2026-01-01T00:00:00Z\n"
    bad = ok + "check\tconnect\tfail\tSELECT 1 failed: refused\t2026-01-01T00:00:01Z\n"
    running = status.read_result(probe(), 0, ok, "")
    assert (running.status, running.healthy, running.failing) == ("running", True, "")
    unhealthy = status.read_result(probe(), 1, bad, "unhealthy: check 'connect' failed")
    assert (unhealthy.status, unhealthy.healthy) == ("unhealthy", False)
    assert (unhealthy.failing, unhealthy.why) == ("connect", "SELECT 1 failed: refused")
    assert [c["status"] for c in unhealthy.checks] == ["pass", "fail"]
    lost = status.read_result(probe(), 255, "", "ssh: connect to host 100.77.0.5 port 2222: No route\n")
    assert (lost.status, lost.failing, lost.why) == (
        "unreachable",
        "ssh",
        "ssh: connect to host 100.77.0.5 port 2222: No route",
    )


def fake_run(monkeypatch: pytest.MonkeyPatch, outputs: dict[str, tuple[int, str]]) -> None:
    monkeypatch.setattr(status, "export_stack", lambda stack, cwd, show_secrets=False: export())

    def run(p: status.HealthProbe, *, timeout: float = 0, agent: object = None) -> status.ServiceStatus:
        assert agent == {"SSH_AUTH_SOCK": "agent of " + p.private_key}
        rc, out = outputs[p.service]
        return status.read_result(p, rc, out, "")

    @contextlib.contextmanager
    def agent(private_key: str) -> Iterator[dict[str, str]]:
        yield {"SSH_AUTH_SOCK": "agent of " + private_key}

    monkeypatch.setattr(status, "run_probe", run)
    monkeypatch.setattr(status, "_agent", agent)


def test_the_table_and_the_exit_status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = "check\tservice\tpass\tcustomdb is running\tT\n"
    fake_run(
        monkeypatch, {"db": (0, good), "db (replica-0)": (1, "check\tstreaming\tfail\tnot streaming\tT\n")}
    )
    assert cli.main(["status", "dev"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["service", "server", "status", "healthy", "failing", "check"]
    assert lines[2].split() == ["db", "db-primary", "running", "yes", "-"]
    assert lines[3].split()[:5] == ["db", "(replica-0)", "100.77.0.6:2222", "unhealthy", "no"]
    assert lines[3].endswith("streaming: not streaming")
    assert KEY.splitlines()[1] not in out and PASSWORD not in out


def test_json_and_a_healthy_stack_exits_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = "check\tservice\tpass\tcustomdb is running\tT\n"
    fake_run(monkeypatch, {"db": (0, good), "db (replica-0)": (0, good)})
    assert cli.main(["status", "dev", "--json"]) == 0
    out = capsys.readouterr().out
    found = json.loads(out)
    assert found["healthy"] is True and found["stack"] == "dev"
    assert [s["service"] for s in found["services"]] == ["db", "db (replica-0)"]
    assert found["services"][0]["checks"][0]["name"] == "service"
    assert KEY.splitlines()[1] not in out and PASSWORD not in out
