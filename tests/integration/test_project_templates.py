"""The `pulumi new` templates that `provisioning.templates` provides (server, database, web stack): each is
found through its entry point, `pulumi new` makes a project of it, and that project previews on the real
engine against a local Custom Cloud; the server template's project also goes up and is destroyed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from provisioning.sdk.extensions import template_path
from tests.support.cloud import CloudHandle, running_cloud
from tests.support.pulumi_cli import PulumiProject, require_engine
from tests.support.tools import require_tool

pytestmark = pytest.mark.engine


def _new(name: str, tmp_path: Path) -> Path:
    generated = tmp_path / "generated"
    about = ["--name", f"my-{name}", "--description", f"from the {name} template"]
    result = subprocess.run(
        [require_engine(), "new", str(template_path(name)), "--generate-only", "--yes", *about,
         "--dir", str(generated), "--non-interactive"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
        env={**_base_env(), "PULUMI_BACKEND_URL": f"file://{tmp_path}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    settings = generated / "Pulumi.yaml"
    text = settings.read_text(encoding="utf-8")
    assert f"name: my-{name}" in text and "virtualenv: venv" in text, text
    settings.write_text(text.replace("virtualenv: venv", f"virtualenv: {sys.prefix}"), encoding="utf-8")
    return generated


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PULUMI_BACKEND_URL"}


def _project(name: str, tmp_path: Path, cloud: CloudHandle) -> PulumiProject:
    project = PulumiProject.copy_of(_new(name, tmp_path), tmp_path / "project")
    project.config_set("custom-cloud:apiUrl", cloud.url)
    project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
    return project


def test_the_server_template_goes_up_and_down(tmp_path: Path) -> None:
    with running_cloud(tmp_path) as cloud:
        project = _project("server", tmp_path, cloud)
        project.config_set("servers", "2")
        project.up()
        assert len(project.outputs()["private_ips"]) == 2
        with cloud.client() as api:
            assert len(api.get("/instances").raise_for_status().json()["items"]) == 2
        project.destroy()


@pytest.mark.parametrize(
    ("name", "secrets"), [("database", ("adminPassword",)), ("web-stack", ("databasePassword",))]
)
def test_the_ssh_templates_preview(tmp_path: Path, name: str, secrets: tuple[str, ...]) -> None:
    keygen = require_tool("ssh-keygen", "openssh-client")
    subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "key")], check=True)
    with running_cloud(tmp_path) as cloud:
        project = _project(name, tmp_path, cloud)
        project.config_set("sshPublicKey", (tmp_path / "key.pub").read_text(encoding="utf-8").strip())
        subprocess.run(  # on stdin: the key starts with dashes
            [require_engine(), "config", "set", "--secret", "sshPrivateKey", "--stack", project.stack],
            input=(tmp_path / "key").read_text(encoding="utf-8"), text=True, cwd=project.workdir,
            env=project._environment(), check=True, capture_output=True,
        )  # fmt: skip
        for secret in secrets:
            project.config_set(secret, "template-test-password-1", secret=True)
        preview = project.preview()
        assert "create" in preview.stdout and "error" not in preview.stdout.lower(), preview.stdout
