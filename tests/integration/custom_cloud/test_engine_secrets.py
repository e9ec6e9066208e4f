"""The API key (secret stack config `custom-cloud:apiKey`) never reaches the state, our logs or error text.

At `-v=9` the engine itself prints every secret it marshals to a provider (see docs/custom-cloud-provider.md,
"The `-v=9` note"): the only lines allowed to hold the key are those engine lines for `Configure().inputs`."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.support.cloud import CloudHandle

from .conftest import HERE, api, instances, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]

# pkg/resource/plugin/rpc.go:98 logging the "value" of the secret wrapper built at rpc.go:248-252, for the
# inputs that provider_plugin.go:1097-1103 marshals with KeepSecrets for every provider's Configure.
ENGINE_CONFIGURE_LINE = re.compile(
    r'"msg":"Marshaling property for RPC\[Provider\[0x[0-9a-f]+\]\.Configure\(\)\.inputs\]: value=\{'
)


def _lines_with(text: str, secret: str) -> list[str]:
    return [line.replace(secret, "<redacted>") for line in text.splitlines() if secret in line]


def test_stack_config_key_stays_out_of_state_logs_and_output(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)  # key: secret stack config
    config_text = (project.workdir / f"Pulumi.{project.stack}.yaml").read_text()
    assert "secure:" in config_text and cloud.api_key not in config_text

    plain = project.up()
    assert cloud.api_key not in plain.stdout + plain.stderr
    verbose = project.run("up", "--yes", "--skip-preview", "--stack", project.stack, "-v=9",
                          "--logtostderr", "--logflow", "--refresh")  # fmt: skip
    leaking = _lines_with(verbose.stdout + verbose.stderr, cloud.api_key)
    outside_engine = [line for line in leaking if not ENGINE_CONFIGURE_LINE.search(line)]
    assert outside_engine == []  # redacted lines: nothing but the engine's own Configure marshal logging
    assert cloud.api_key not in project.state_file().read_text()
    assert cloud.api_key not in project.run("stack", "export", "--stack", project.stack).stdout
    logs = "".join(p.read_text() for p in (tmp_path / "proj" / "logs").glob("*.log"))
    assert "POST /instances" in logs or "dynamic host" in logs  # the provider did log
    assert cloud.api_key not in logs
    project.destroy()


def test_failing_create_error_text_never_contains_the_key(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", cloud)
    with api(cloud) as client:  # a server already holds the name: the create answers 409
        taken = client.post("/instances", json={"name": "web", "machine_type": "small", "zone": "us-west-1a"})
        assert taken.status_code == 202
    failed = project.run("up", "--yes", "--skip-preview", "--stack", project.stack, check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "409" in text and "conflict" in text
    assert cloud.api_key not in text
    assert [i["name"] for i in instances(cloud)] == ["web"]

    wrong_key = "ck_wrong_" + "x" * 24  # a wrong key: the create answers 401, naming neither key
    project.config_set("custom-cloud:apiKey", wrong_key, secret=True)
    failed = project.run("up", "--yes", "--skip-preview", "--stack", project.stack, check=False)
    text = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "401" in text and "unauthenticated" in text
    assert wrong_key not in text and cloud.api_key not in text
    logs = "".join(p.read_text() for p in (tmp_path / "proj" / "logs").glob("*.log"))
    assert wrong_key not in logs and cloud.api_key not in logs
    assert httpx.get(f"{cloud.root}/healthz").status_code == 200
