"""Reproducible builds (two builds, the same bytes), the directory index (a version published twice is
refused, a file changed after publishing is refused at install) and the HTTP index refusing a file it has."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from provisioning.sdk.extensions import (
    InstallRefused,
    PublishRefused,
    build_extension,
    find_release,
    publish_release,
    resolve_extensions,
    scaffold_extension,
)
from provisioning.sdk.extensions.build import sha256_of


def _bytes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256_of(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    folder = scaffold_extension("acme-disk", "provider", tmp_path)
    first = build_extension(folder, outdir=tmp_path / "one")
    (folder / "src" / "acme_disk" / "spec.py").touch()  # a newer file time changes nothing
    second = build_extension(folder, outdir=tmp_path / "two")
    assert [p.name for p in first.files] == [p.name for p in second.files]
    assert sorted(_bytes(tmp_path / "one")) == [
        "acme_disk-0.1.0-py3-none-any.whl",
        "acme_disk-0.1.0.tar.gz",
        "archive/acme-disk-0.1.0.tar.gz",
    ]
    assert _bytes(tmp_path / "one") == _bytes(tmp_path / "two")


def test_the_archive_honours_build_include_and_exclude(tmp_path: Path) -> None:
    folder = scaffold_extension("acme-disk", "provider", tmp_path)
    (folder / "notes.tmp").write_text("scratch", "utf-8")
    (folder / "src" / "acme_disk" / "scratch.tmp").write_text("scratch", "utf-8")
    (folder / "secrets.txt").write_text("not included", "utf-8")
    result = build_extension(folder, outdir=tmp_path / "out")
    with tarfile.open(result.archive) as tar:
        names = tar.getnames()
    assert "acme-disk-0.1.0/src/acme_disk/spec.py" in names and "acme-disk-0.1.0/extension.toml" in names
    assert not [n for n in names if n.endswith((".tmp", "secrets.txt"))], names
    with zipfile.ZipFile(next(p for p in result.distributions if p.suffix == ".whl")) as wheel:
        assert "acme_disk/extension.toml" in wheel.namelist()


def _fake_release(folder: Path, version: str = "1.0.0", extensions: str = "[]") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"acme_disk-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        manifest = f'[extension]\nname = "acme-disk"\nversion = "{version}"\n'
        archive.writestr("acme_disk/extension.toml", f"{manifest}[dependencies]\nextensions = {extensions}\n")
        info = f"acme_disk-{version}.dist-info"
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: acme-disk\nVersion: {version}\n")
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    return wheel


def test_a_version_published_twice_is_refused(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    wheel = _fake_release(tmp_path / "dist")
    publish_release(find_release(wheel), index)
    assert (tmp_path / "index" / "acme-disk" / wheel.name).is_file()
    with pytest.raises(
        PublishRefused, match="acme-disk 1.0.0 is already on .*a published version never changes"
    ):
        publish_release(find_release(wheel), index)
    publish_release(find_release(_fake_release(tmp_path / "dist", "1.0.1")), index)  # a new version is fine


def test_the_folder_build_wrote_is_published_wherever_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "scaffold"
    scaffold_extension("acme-disk", "provider", folder)
    out = tmp_path / "elsewhere" / "out"
    build_extension(folder / "acme-disk", outdir=out)
    release = find_release(out)
    assert (release.name, release.version) == ("acme-disk", "0.1.0")
    assert sorted(path.name for path in release.files) == ["acme_disk-0.1.0-py3-none-any.whl",
                                                          "acme_disk-0.1.0.tar.gz"]  # fmt: skip


def test_a_folder_of_several_releases_asks_for_one(tmp_path: Path) -> None:
    _fake_release(tmp_path / "out", "1.0.0")
    _fake_release(tmp_path / "out", "1.0.1")
    with pytest.raises(PublishRefused, match=r"several releases \(acme-disk 1.0.0, acme-disk 1.0.1\)"):
        find_release(tmp_path / "out")


@pytest.mark.parametrize("target", ["empty", "missing", "notes.txt"])
def test_anything_else_is_refused_naming_the_forms_publish_takes(tmp_path: Path, target: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not a distribution")
    with pytest.raises(PublishRefused) as refused:
        find_release(tmp_path / target)
    for form in ("an extension folder", "--outdir", "a wheel or sdist", "<name>-<version>.tar.gz"):
        assert form in str(refused.value), refused.value


def test_a_tampered_file_is_refused_at_install(tmp_path: Path) -> None:
    index = tmp_path / "index"
    publish_release(find_release(_fake_release(tmp_path / "dist")), str(index))
    published = index / "acme-disk" / "acme_disk-1.0.0-py3-none-any.whl"
    assert [v.file.filename for v in resolve_extensions("acme-disk", str(index), tmp_path)] == [
        published.name
    ]
    with zipfile.ZipFile(published, "a") as wheel:
        wheel.writestr("acme_disk/evil.py", "print('owned')\n")
    (tmp_path / "dl").mkdir()
    with pytest.raises(InstallRefused, match="does not match the hash its index recorded .*refusing"):
        resolve_extensions("acme-disk==1.0.0", str(index), tmp_path / "dl")
    # publishing another version keeps the hash recorded for this one: the tampering is not laundered
    publish_release(find_release(_fake_release(tmp_path / "dist", "1.0.1")), str(index))
    with pytest.raises(InstallRefused, match="does not match the hash"):
        resolve_extensions("acme-disk==1.0.0", str(index), tmp_path / "dl")


def test_extension_dependencies_are_resolved_through_the_index(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    base = tmp_path / "base" / "acme_base-2.1.0-py3-none-any.whl"
    base.parent.mkdir()
    with zipfile.ZipFile(base, "w") as wheel:
        wheel.writestr("acme_base/extension.toml", '[extension]\nname = "acme-base"\nversion = "2.1.0"\n')
    publish_release(find_release(base), index)
    publish_release(find_release(_fake_release(tmp_path / "dist", extensions='["acme-base>=2"]')), index)
    found = resolve_extensions("acme-disk", index, tmp_path)
    assert [(v.file.filename, v.requirement) for v in found] == [
        ("acme_disk-1.0.0-py3-none-any.whl", "acme-disk"),
        ("acme_base-2.1.0-py3-none-any.whl", "acme-disk [dependencies]"),
    ]


def test_extension_dependencies_are_resolved_and_missing_ones_named(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    publish_release(find_release(_fake_release(tmp_path / "dist", extensions='["acme-base>=2"]')), index)
    with pytest.raises(InstallRefused, match=r"no acme-base>=2 on .* \(versions there: none\)"):
        resolve_extensions("acme-disk", index, tmp_path)


def test_the_http_index_refuses_uploads_without_the_password_and_files_it_has(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "provisioning.cli", "registry", "serve", "--port", "0", "--state",
         str(tmp_path / "reg")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = next(m.group(1) for line in proc.stdout if (m := re.search(r"listening on (\S+)", line)))
        password = (tmp_path / "reg" / "publisher.key").read_text("utf-8").strip()
        assert oct((tmp_path / "reg" / "publisher.key").stat().st_mode & 0o777) == "0o600"
        wheel = _fake_release(tmp_path / "dist")
        upload = [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar",
                  "--repository-url", url.removesuffix("simple/"), str(wheel)]  # fmt: skip

        def twine(password: str) -> subprocess.CompletedProcess[str]:
            env = {**os.environ, "TWINE_USERNAME": "publisher", "TWINE_PASSWORD": password}
            return subprocess.run(upload, env=env, capture_output=True, text=True, check=False)

        denied = twine("wrong")
        assert denied.returncode != 0 and "403" in denied.stdout + denied.stderr
        assert twine(password).returncode == 0
        original = sha256_of(wheel)
        with zipfile.ZipFile(wheel, "a") as changed:
            changed.writestr("acme_disk/other.py", "")
        again = twine(password)  # other bytes, same file name: straight to the server, past our own check
        assert again.returncode != 0 and "400 Bad Request" in again.stdout + again.stderr  # 409 to others
        [listed] = [v.file for v in resolve_extensions("acme-disk", url, tmp_path)]
        assert listed.sha256 == original
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_registry_listens_on_loopback_only_by_default() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "provisioning.cli", "registry", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2 and "not a loopback address" in result.stderr
