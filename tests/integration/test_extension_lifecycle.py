"""An extension's whole life, as a new user lives it, in a temporary folder: `provisioning extension new` →
`validate` → `test` → `build` → `publish` to the HTTP index (`provisioning registry serve`) → `install`
into a fresh virtualenv (with the `provisioning` wheel built from this checkout) → a Pulumi program using
the installed extension runs `pulumi up` on the real engine against a local Custom Cloud, with the policy
pack of that virtualenv checking (and remediating) its resources."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_getting_started import _clean_checkout
from tests.support.cloud import CloudHandle, running_cloud
from tests.support.pulumi_cli import PulumiProject

pytestmark = pytest.mark.engine

NAME, PACKAGE, CLS, VERSION = "acme-disk", "acme_disk", "AcmeDisk", "0.1.0"
_LISTENING = re.compile(r"registry listening on (http://127\.0\.0\.1:\d+/simple/)")
PROGRAM = f'''"""One data disk from the installed {NAME} extension."""

import pulumi

from {PACKAGE} import {CLS}

disk = {CLS}("data", size=20, zone="us-west-1a", labels={{"app": "ext"}})
pulumi.export("disk_id", disk.id)
'''


def _cli(*args: str, python: str = sys.executable, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 600) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run([python, "-m", "provisioning.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)  # fmt: skip


def _ok(result: subprocess.CompletedProcess[str], step: str) -> str:
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{step}` exited {result.returncode}:\n{output[-5000:]}"
    return output


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`provisioning registry serve` on a free loopback port: (simple index URL, publisher's password)."""
    state = tmp_path / "registry"
    proc = subprocess.Popen(
        [sys.executable, "-m", "provisioning.cli", "registry", "serve", "--port", "0", "--state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = None
        for line in proc.stdout:
            found = _LISTENING.search(line)
            if found:
                url = found.group(1)
                break
        assert url, "provisioning registry serve stopped before listening"
        yield url, (state / "publisher.key").read_text(encoding="utf-8").strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_new_validate_test_build_publish_install_up(
    tmp_path: Path, registry: tuple[str, str], repo_root: Path
) -> None:
    index, password = registry
    work = tmp_path / "work"
    work.mkdir()
    folder = work / NAME

    _ok(_cli("extension", "new", NAME, "--type", "provider", cwd=work), "extension new")
    report = _ok(_cli("extension", "validate", NAME, cwd=work), "extension validate")
    assert re.search(rf"\[provides\] providers: {NAME}\s+ok\s+{PACKAGE}.spec: {NAME}:{CLS}", report), report
    tested = _ok(_cli("extension", "test", NAME, cwd=work), "extension test")
    assert "2 passed" in tested
    built = _ok(_cli("extension", "build", NAME, cwd=work), "extension build")
    wheel = folder / "dist" / f"{PACKAGE}-{VERSION}-py3-none-any.whl"
    archive = folder / "dist" / "archive" / f"{NAME}-{VERSION}.tar.gz"
    assert wheel.is_file() and archive.is_file(), built

    publisher = {**os.environ, "TWINE_USERNAME": "publisher", "TWINE_PASSWORD": password}
    _ok(_cli("extension", "publish", str(archive), "--index", index, cwd=work, env=publisher), "publish")
    again = _cli("extension", "publish", NAME, "--index", index, cwd=work, env=publisher)
    assert again.returncode == 2 and f"{NAME} {VERSION} is already on {index}" in again.stderr, again.stderr

    # A fresh virtualenv with the provisioning wheel of this checkout, then the extension from the index.
    wheels = tmp_path / "wheels"
    checkout = _clean_checkout(tmp_path / "checkout")
    pip_wheel = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "-w",
        str(wheels),
        str(checkout),
    ]
    _ok(subprocess.run(pip_wheel, capture_output=True, text=True, check=False), "pip wheel")
    [own] = wheels.glob("provisioning-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    pip_install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"{own}[cloud]"]
    _ok(subprocess.run(pip_install, capture_output=True, text=True, check=False), "pip install")
    installed = _cli("extension", "install", f"{NAME}=={VERSION}", "--index", index, "--find-links",
                     str(wheels), python=python, cwd=work)  # fmt: skip
    assert f"{PACKAGE}-{VERSION}-py3-none-any.whl" in _ok(installed, "extension install")
    listing = _ok(_cli("extension", "list", python=python, cwd=work), "extension list")
    assert re.search(rf"{NAME}\s+{VERSION}\s+providers\s+{NAME}\s+{NAME} {VERSION} \(", listing), listing
    made = _ok(_cli("extension", "new", "acme-other", "--type", "cluster", python=python, cwd=work), "new")
    assert "acme-other/src/acme_other/component.py" in made  # the wheel ships the skeletons
    pack = _ok(_cli("policy", "path", python=python, cwd=work), "policy path").strip()
    assert pack.startswith(str(env_dir)), pack

    with running_cloud(tmp_path) as cloud:
        _up_with_the_extension(tmp_path, env_dir, Path(pack), cloud)


def _up_with_the_extension(tmp_path: Path, env_dir: Path, pack: Path, cloud: CloudHandle) -> None:
    source = tmp_path / "program-src"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(
        f"name: uses-{NAME}\nruntime:\n  name: python\n  options:\n    virtualenv: {env_dir}\n", "utf-8"
    )
    (source / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    path = f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}"  # the policy pack runs on this python
    project = PulumiProject.copy_of(source, tmp_path / "program", PATH=path)
    project.config_set("custom-cloud:apiUrl", cloud.url)
    project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
    config = tmp_path / "pack-config.json"
    remediate = {"default-labels": {"enforcementLevel": "remediate", "labels": {"cost_center": "cc-7"}}}
    config.write_text(json.dumps(remediate), encoding="utf-8")

    up = project.up("--policy-pack", str(pack), "--policy-pack-config", str(config))
    assert "provisioning" in up.stdout and "Policies" in up.stdout, up.stdout
    [disk] = [r for r in project.resources() if r["type"].endswith(f"{NAME}:{CLS}")]
    assert disk["type"] == f"pulumi-python:dynamic/{NAME}:{CLS}"
    with cloud.client() as api:
        [volume] = api.get("/volumes").raise_for_status().json()["items"]
    assert volume["id"] == project.outputs()["disk_id"] and volume["size"] == 20
    # The pack found the extension's declaration through its entry point: it remediated the disk's labels.
    assert volume["labels"].get("cost_center") == "cc-7", volume["labels"]
    project.destroy()
    with cloud.client() as api:
        assert api.get("/volumes").raise_for_status().json()["items"] == []


@pytest.mark.parametrize("kind", ["taskserv", "cluster"])
def test_scaffolded_extensions_pass_their_own_tests(tmp_path: Path, kind: str) -> None:
    name = f"acme-{kind}"
    _ok(_cli("extension", "new", name, "--type", kind, cwd=tmp_path), "extension new")
    report = _ok(_cli("extension", "validate", name, cwd=tmp_path), "extension validate")
    assert re.search(rf"\[provides\] {kind}s: {name}\s+ok", report), report
    tested = _ok(_cli("extension", "test", name, cwd=tmp_path), "extension test")
    assert re.search(r"\d+ passed", tested) and "failed" not in tested, tested
    _ok(_cli("extension", "build", name, "--outdir", "out", cwd=tmp_path), "extension build --outdir out")
    published = _ok(_cli("extension", "publish", "out", "--index", "index", cwd=tmp_path), "publish out")
    assert f"{name.replace('-', '_')}-0.1.0-py3-none-any.whl" in published, published
    refused = _cli("extension", "publish", name + "/tests", "--index", "index", cwd=tmp_path)
    assert refused.returncode != 0 and "the folder `provisioning extension build --outdir` wrote" in (
        refused.stderr
    ), refused.stderr


def test_validate_takes_the_stack_config_key_for_a_required_variable(tmp_path: Path, repo_root: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Pulumi.yaml").write_text("name: keyed\nruntime: python\n", encoding="utf-8")
    project = PulumiProject.copy_of(tmp_path / "src", tmp_path / "project")
    env = {k: v for k, v in project._environment().items() if k != "CUSTOM_CLOUD_API_KEY"}
    validate = (
        "extension",
        "validate",
        str(repo_root / "providers" / "custom_cloud"),
        "--cwd",
        str(project.workdir),
    )

    lacking = _cli(*validate, cwd=tmp_path, env=env)
    assert lacking.returncode == 3, lacking.stdout
    assert "CUSTOM_CLOUD_API_KEY is not set, nor is stack config custom-cloud:apiKey" in lacking.stdout

    project.config_set("custom-cloud:apiKey", "ck_not_a_real_key", secret=True)
    keyed = _cli(*validate, cwd=tmp_path, env=env)
    assert keyed.returncode == 0, keyed.stdout
    assert "CUSTOM_CLOUD_API_KEY is not set, but stack config custom-cloud:apiKey is" in keyed.stdout
    assert "ck_not_a_real_key" not in keyed.stdout + keyed.stderr


def test_the_reference_extensions_pass_validate_test_and_build(tmp_path: Path, repo_root: Path) -> None:
    env = {**os.environ, "CUSTOM_CLOUD_API_KEY": "set-for-validate"}
    for folder in (
        "providers/custom_cloud",
        "components/taskservs/custom_database",
        "components/clusters/web_stack",
    ):
        _ok(_cli("extension", "validate", folder, cwd=repo_root, env=env), f"validate {folder}")
        _ok(_cli("extension", "build", folder, "--outdir", str(tmp_path / folder), cwd=repo_root), "build")
    # the project's own tests named after it, unit tests only here (the suite runs the rest itself)
    for folder in ("components/taskservs/custom_database", "components/clusters/web_stack"):
        tested = _cli("extension", "test", folder, "--", "-p", "no:cacheprovider",
                      "-q", "-m", "not engine and not e2e", cwd=repo_root)  # fmt: skip
        assert re.search(r"\d+ passed", _ok(tested, "extension test")), tested.stdout
