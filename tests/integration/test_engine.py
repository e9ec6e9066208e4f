"""The real Pulumi engine runs provisioning programs: preview, up, refresh, preview, destroy, policies."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pulumi_cli import PulumiError, PulumiProject

pytestmark = pytest.mark.engine

SECRET = "s3cr3t-engine-token-value"


@pytest.fixture
def hello(tmp_path: Path, repo_root: Path) -> PulumiProject:
    project = PulumiProject.copy_of(repo_root / "examples" / "hello", tmp_path / "hello")
    project.config_set("token", SECRET, secret=True)
    project.config_set("outDir", str(tmp_path / "out"))
    return project


def planned_ops(preview: dict) -> dict[str, str]:
    return {step["urn"].split("::")[-1]: step["op"] for step in preview["steps"]}


def test_lifecycle_on_the_real_engine(hello: PulumiProject, tmp_path: Path) -> None:
    out = tmp_path / "out"

    planned = planned_ops(hello.preview_json())
    assert planned == {
        "hello-test": "create",
        "motd": "create",
        "credentials": "create",
        "token-length": "create",
    }
    assert not out.exists(), "preview must not create anything"

    hello.up()
    assert (out / "motd.txt").read_text() == "hello from provisioning\n"
    assert (out / "token.txt").read_text() == SECRET
    assert (out / "token.txt").stat().st_mode & 0o777 == 0o600
    outputs = hello.outputs()
    assert outputs["token_length"] == str(len(SECRET))
    assert outputs["motd_path"] == str(out / "motd.txt")

    state_text = hello.state_file().read_text()
    assert SECRET not in state_text, "the secret config value is in the state file in plaintext"
    assert "ciphertext" in state_text

    # Drift made out of band is seen by refresh, then put right by the next up.
    (out / "motd.txt").write_text("tampered\n")
    refreshed = hello.refresh()
    assert "motd" in refreshed.stdout
    assert planned_ops(hello.preview_json()).get("motd") == "update"
    hello.up()
    assert (out / "motd.txt").read_text() == "hello from provisioning\n"

    hello.preview("--expect-no-changes")

    hello.destroy()
    assert not (out / "motd.txt").exists() and not (out / "token.txt").exists()
    assert [r["type"] for r in hello.resources()] == []


def test_config_change_updates_in_place(hello: PulumiProject, tmp_path: Path) -> None:
    hello.up()
    hello.config_set("greeting", "hi")
    assert planned_ops(hello.preview_json())["motd"] == "update"
    hello.up()
    assert (tmp_path / "out" / "motd.txt").read_text() == "hi from provisioning\n"
    hello.destroy()


def test_bad_input_fails_at_preview_naming_the_property(hello: PulumiProject, tmp_path: Path) -> None:
    hello.config_set("outDir", "relative/dir")
    result = hello.preview(check=False)
    assert result.returncode != 0
    assert "property path" in result.stdout and "must be an absolute path" in result.stdout
    assert not (hello.workdir / "relative").exists()


def test_policy_pack_reports_a_violation(hello: PulumiProject, repo_root: Path) -> None:
    pack = repo_root / "tests" / "integration" / "policy_packs" / "local-files"
    with pytest.raises(PulumiError) as failure:
        hello.preview("--policy-pack", str(pack))
    output = failure.value.result.stdout
    assert "no-world-readable-files" in output
    assert "mode 644" in output and "motd.txt" in output
    assert "token.txt lets" not in output, "the 0600 file must pass the policy"
