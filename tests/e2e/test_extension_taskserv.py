"""A task service scaffolded by `provisioning extension new --type taskserv` works on a real host: on the
real engine against machine hosts, its install, configure and health steps run over SSH, the page answers
on the server, and delete runs its remove step."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pulumi_cli import PulumiProject

from .ssh import Ssh, keypair
from .taskservice_support import database_cloud, secret_from_stdin

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

CIDR = "10.97.0.0/16"
"""This test's VPC range (distinct from every other e2e test's)."""
PROGRAM = f'''"""A server and the scaffolded AcmePage task service on it."""

import pulumi

from acme_page import AcmePage
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.taskservice import Target

config = pulumi.Config()
network = Network("net", cidr="{CIDR}")
subnet = Subnet("subnet", network_id=network.id, cidr="10.97.1.0/24", zone="us-west-1a")
server = Server("page-host", machine_type="small", zone="us-west-1a", vpc=network.id, subnet=subnet.id,
                ssh_public_key=config.require("sshPublicKey"), external_ip=False)
page = AcmePage("page", {{"port": 8080, "message": "made by an extension"}},
                target=Target.server(server, config.require_secret("sshPrivateKey")))
pulumi.export("server_id", server.id)
pulumi.export("healthy", page.healthy)
pulumi.export("checks", page.checks)
pulumi.export("endpoint", page.endpoint)
'''


def test_the_scaffolded_task_service_runs_on_a_machine_host(tmp_path: Path) -> None:
    new = [sys.executable, "-m", "provisioning.cli", "extension", "new", "acme-page", "--type", "taskserv"]
    subprocess.run(new, cwd=tmp_path, check=True, capture_output=True)
    source = tmp_path / "program"
    source.mkdir()
    (source / "Pulumi.yaml").write_text("name: acme-page-e2e\nruntime: python\n", encoding="utf-8")
    (source / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    importable = os.pathsep.join([str(tmp_path / "acme-page" / "src"), os.environ.get("PYTHONPATH", "")])
    with database_cloud(tmp_path) as cloud:
        key, public = keypair(tmp_path)
        project = PulumiProject.copy_of(source, tmp_path / "proj", PYTHONPATH=importable)
        project.config_set("custom-cloud:apiUrl", cloud.url)
        project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
        project.config_set("sshPublicKey", public)
        secret_from_stdin(project, "sshPrivateKey", key.read_text())
        try:
            project.up()
            out = project.outputs()
            assert out["healthy"] is True, out["checks"]
            assert {c["name"]: c["status"] for c in out["checks"]} == {"service": "pass", "page": "pass"}
            with cloud.client(timeout=60) as api:
                inst = api.get(f"/instances/{out['server_id']}").raise_for_status().json()
            ssh = Ssh(key, tmp_path / "known_hosts")
            ssh.trust(inst["ssh_host"], inst["ssh_port"], inst["ssh_host_key_fingerprints"])
            fetch = "python3 -c 'import urllib.request; print(urllib.request.urlopen(\"http://127.0.0.1:8080/\").read())'"
            assert "made by an extension" in ssh.run(inst["ssh_host"], inst["ssh_port"], fetch)
            [urn] = [r["urn"] for r in project.resources() if r["type"] == "acme-page:taskservs:AcmePage"]
            project.destroy("--target", urn, "--target-dependents")  # the task service only: its remove step
            gone = ssh.run(
                inst["ssh_host"], inst["ssh_port"], "test -e /etc/systemd/system/acme-page.service; echo $?"
            )
            assert gone.strip() == "1", "the remove step left the unit file"
        finally:
            project.destroy()
