"""examples/ssh-servers on the real Pulumi engine against machine hosts (Debian 12 under systemd): `pulumi
up` makes a network, a subnet and two servers and runs `pulumi_command.remote.Command`s on them over SSH
(host keys pinned); the greeter is an enabled systemd unit; the client reaches the greeter's private IP;
files under /etc stay on their server; stop/start keeps the disk and systemd brings the enabled unit back;
refresh + preview see no changes; destroy of the greeter's command removes its unit; destroy leaves
nothing behind."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from provisioning.sdk.ssh import verified_host_key
from tests.support.cloud import stop_cloud
from tests.support.pulumi_cli import REPO_ROOT, PulumiProject

from .cloud_stacks import secret_from_stdin
from .kernel import assert_nothing_left
from .machine_cloud import MachineCloud, machine_cloud
from .ssh import keypair

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(600)]

EXAMPLE = REPO_ROOT / "examples" / "ssh-servers"
PORT = 7000
CIDR = "10.43.0.0/16"
POOL = "100.92.0.0/24"


@dataclass
class Run(MachineCloud):
    """The emulator, the project after `pulumi up`, its outputs, the SSH helper and the key material."""

    project: PulumiProject = field(init=False)
    outputs: dict[str, Any] = field(default_factory=dict)
    private_key: str = field(default="", repr=False)  # never in assertion messages


def _greet(ip: str, timeout: float = 10) -> str:
    """What the greeter answers on `ip:PORT` (the host reaches every instance IP through the bridge)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((ip, PORT), timeout=2) as conn:
                return conn.makefile().readline().strip()
        except OSError:
            assert time.monotonic() < deadline, f"nothing answers on {ip}:{PORT}"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("engine-ssh-servers")
    with machine_cloud(tmp, pool=POOL, kind=Run, api_timeout=60, lifecycle="timed", boot_delay=0.3) as r:
        r.private_key = r.ssh.key.read_text()
        r.project = PulumiProject.copy_of(EXAMPLE, tmp / "proj", PROVISIONING_LOG_DIR=str(tmp / "logs"))
        r.project.config_set("custom-cloud:apiUrl", r.cloud.url)
        r.project.config_set("custom-cloud:apiKey", r.cloud.api_key, secret=True)
        r.project.config_set("ssh-servers:sshPublicKey", r.public_key)
        r.project.config_set("ssh-servers:cidr", CIDR)
        r.project.config_set("ssh-servers:port", str(PORT))
        secret_from_stdin(r.project, "ssh-servers:sshPrivateKey", r.private_key)
        r.project.up()
        r.outputs = r.project.outputs()
        for iid in (r.outputs["greeter_id"], r.outputs["client_id"]):
            r.trust(r.instance(iid))
        yield r


def sh(r: Run, iid: str, command: str) -> str:
    return r.sh(r.instance(iid), command)


def test_up_made_two_servers_in_one_subnet(run: Run) -> None:
    greeter = run.instance(run.outputs["greeter_id"])
    client = run.instance(run.outputs["client_id"])
    assert greeter["status"] == client["status"] == "running"
    assert greeter["subnet"] == client["subnet"] and greeter["vpc"] == client["vpc"]
    assert greeter["private_ip"].startswith("10.43.0.") and client["private_ip"].startswith("10.43.0.")
    assert run.outputs["greeter_private_ip"] == greeter["private_ip"]
    assert greeter["ssh_host"] in (greeter["public_ip"], greeter["private_ip"])
    assert greeter["ssh_port"] == 22 and greeter["ssh_host_key_fingerprints"]


def test_remote_commands_ran_and_client_reached_greeter_privately(run: Run) -> None:
    assert run.outputs["greeter_service"].strip().endswith(f"greeter listening on port {PORT}")
    # the client connected to the greeter's private IP; the answer carries the greeter's hostname
    assert run.outputs["greeting"].strip() == "hello from greeter"
    conf = sh(run, run.outputs["client_id"], f"cat {run.outputs['client_config']}")
    assert conf.strip() == f"greeter={run.outputs['greeter_private_ip']}:{PORT}"


def test_host_keys_are_pinned(run: Run) -> None:
    exported = json.loads(run.project.run("stack", "export", "--show-secrets", "--stack", "test").stdout)
    commands = {
        r["urn"].rsplit("::", 1)[-1]: r for r in exported["deployment"]["resources"]
        if r["type"] == "command:remote:Command"
    }  # fmt: skip
    assert set(commands) == {"greeter-service", "client-greets"}
    for name, iid in (
        ("greeter-service", run.outputs["greeter_id"]),
        ("client-greets", run.outputs["client_id"]),
    ):
        conn = commands[name]["inputs"]["connection"]
        conn = conn.get("plaintext", conn) if isinstance(conn, dict) and "plaintext" in conn else conn
        if isinstance(conn, str):
            conn = json.loads(conn)
        host_key = conn["hostKey"]
        fp = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", "-"], input=host_key,
                            capture_output=True, text=True, check=True).stdout.split()[1]  # fmt: skip
        assert fp in run.instance(iid)["ssh_host_key_fingerprints"], name
    # and a key the API did not vouch for is refused before pulumi-command ever connects
    greeter = run.instance(run.outputs["greeter_id"])
    with pytest.raises(ValueError, match="refusing to connect"):
        verified_host_key(greeter["ssh_host"], 22, ["SHA256:" + "A" * 43])


PINNED_PROGRAM = """
import pulumi
from pulumi_command import remote

config = pulumi.Config()
remote.Command("probe", create="touch /etc/probe-ran",
               connection=remote.ConnectionArgs(host=config.require("host"), port=22, user="root",
                                                private_key=config.require_secret("privateKey"),
                                                host_key=config.require("hostKey"), dial_error_limit=1))
"""


def test_pulumi_command_refuses_another_host_key(run: Run, tmp_path: Path) -> None:
    """pulumi-command enforces `host_key`: with a key that is not the server's, nothing runs there."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "Pulumi.yaml").write_text("name: pinned-probe\nruntime: python\n")
    (source / "__main__.py").write_text(PINNED_PROGRAM)
    other, _ = keypair(tmp_path)
    other_key = " ".join(other.with_suffix(".pub").read_text().split()[:2])
    greeter = run.instance(run.outputs["greeter_id"])
    probe = PulumiProject.copy_of(source, tmp_path / "proj")
    probe.config_set("pinned-probe:host", greeter["ssh_host"])
    probe.config_set("pinned-probe:hostKey", other_key)
    secret_from_stdin(probe, "pinned-probe:privateKey", run.private_key)
    failed = probe.run("up", "--yes", "--skip-preview", "--stack", probe.stack, check=False)
    assert failed.returncode != 0
    assert "ssh: host key mismatch" in failed.stdout + failed.stderr, failed.stdout[-2000:]
    assert sh(run, greeter["id"], "test -e /etc/probe-ran; echo $?").strip() == "1"
    probe.destroy()


def test_etc_files_stay_on_their_server(run: Run) -> None:
    path = run.outputs["client_config"]
    assert sh(run, run.outputs["client_id"], f"test -f {path}; echo $?").strip() == "0"
    assert sh(run, run.outputs["greeter_id"], f"test -e {path}; echo $?").strip() == "1"
    assert not Path(path).exists()
    assert not Path("/etc/systemd/system/greeter.service").exists()


def test_stop_start_keeps_disk_and_restarts_enabled_service(run: Run) -> None:
    iid, ip = run.outputs["greeter_id"], run.outputs["greeter_private_ip"]
    assert _greet(ip) == "hello from greeter"
    sh(run, iid, "echo kept > /etc/written-before-stop && sync")
    run.api.post(f"/instances/{iid}/stop").raise_for_status()
    run.wait_status(iid, "stopped", timeout=30)
    with pytest.raises(OSError):
        socket.create_connection((ip, PORT), timeout=1).close()
    run.api.post(f"/instances/{iid}/start").raise_for_status()
    run.wait_status(iid, "running", timeout=30)
    assert _greet(ip) == "hello from greeter"  # the enabled unit, started again by systemd at boot
    assert sh(run, iid, "cat /etc/written-before-stop").strip() == "kept"
    state = sh(run, iid, "systemctl is-enabled greeter; systemctl is-active greeter")
    assert state.split() == ["enabled", "active"]


def test_refresh_then_preview_has_no_changes(run: Run) -> None:
    run.project.refresh()
    run.project.preview("--expect-no-changes")


def test_private_key_never_in_plaintext(run: Run) -> None:
    body = [line for line in run.private_key.splitlines() if line and not line.startswith("-----")]
    texts = {
        "state": run.project.state_file().read_text(),
        "stack config": (run.project.workdir / "Pulumi.test.yaml").read_text(),
    }
    for what, text in texts.items():
        # booleans only: a failing assertion must not print the key
        whole = run.private_key.strip() in text or json.dumps(run.private_key)[1:-1] in text
        lines = sum(line in text for line in body)
        assert not whole, f"the private key is in plaintext in the {what}"
        assert lines == 0, f"{lines} lines of the private key are in plaintext in the {what}"
    api_key_leaked = run.cloud.api_key in texts["state"]
    assert not api_key_leaked, "the API key is in plaintext in the state"


def test_destroying_the_service_command_removes_the_unit(run: Run) -> None:
    iid, ip = run.outputs["greeter_id"], run.outputs["greeter_private_ip"]
    urn = "urn:pulumi:test::ssh-servers::command:remote:Command::greeter-service"
    run.project.destroy("--target", urn, "--target-dependents")
    left = "systemctl cat greeter >/dev/null 2>&1 && echo unit; test -e /usr/local/bin/greeter && echo bin"
    assert sh(run, iid, left + "; true").split() == []
    with pytest.raises(OSError):
        socket.create_connection((ip, PORT), timeout=1).close()


def test_destroy_leaves_nothing(run: Run) -> None:
    run.project.destroy()
    assert run.api.get("/instances").raise_for_status().json()["items"] == []
    assert run.api.get("/subnets").raise_for_status().json()["items"] == []
    assert run.api.get("/networks").raise_for_status().json()["items"] == []
    assert run.project.resources() == []
    instances_dir = run.state_dir / "machines" / "instances"
    assert not instances_dir.exists() or list(instances_dir.iterdir()) == []
    stop_cloud(run.cloud.process)
    assert_nothing_left(run.state_dir)
