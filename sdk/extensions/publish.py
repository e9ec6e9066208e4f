"""`provisioning extension publish`: a release (every wheel and sdist of one name and version) to a package
index: a local folder that pip reads (`--index-url file://…`, `--find-links`), or an HTTP index through the
standard upload tool (twine). A version already on the index is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from packaging.version import Version

from .archive import shipped_manifest
from .build import ARCHIVE_FOLDER, sha256_of
from .errors import PublishRefused
from .index import distribution_of, is_remote, project_files, write_directory_index
from .manifest import MANIFEST_NAME, load_manifest
from .project import normalized

__all__ = ["Release", "find_release", "publish_release"]


@dataclass(frozen=True)
class Release:
    """One name and version, and its files."""

    name: str
    """Normalized distribution name."""
    version: str
    """Its version."""
    files: tuple[Path, ...]
    """Its wheel(s) and sdist."""


def _release_in(folder: Path, name: str, version: str) -> Release:
    files = []
    for path in sorted(folder.glob("*")):
        try:
            found = distribution_of(path.name)
        except ValueError:
            continue
        if found == (normalized(name), version):
            files.append(path)
    if not files:
        raise PublishRefused(
            f"no wheel or sdist of {name} {version} in {folder}: run `provisioning extension build` first"
        )
    return Release(normalized(name), version, tuple(files))


def _archive_release(archive: Path) -> Release:
    manifest = shipped_manifest(archive)
    if manifest is None:
        raise PublishRefused(f"{archive} is no extension archive: it holds no {MANIFEST_NAME}")
    folder = archive.parent.parent if archive.parent.name == ARCHIVE_FOLDER else archive.parent
    return _release_in(folder, manifest.extension.name, manifest.extension.version)


ACCEPTED = (
    "an extension folder (with extension.toml: its dist/), the folder `provisioning extension build "
    "--outdir` wrote (its wheel, sdist and archive/), a wheel or sdist (with every file of its name and "
    "version beside it), or the archive/<name>-<version>.tar.gz"
)
"""What `find_release` takes, in words (its refusals name them)."""


def _releases_in_output(folder: Path) -> set[tuple[str, str]]:
    """(name, version) of each release a build output folder holds: its archives' manifests, its
    wheels and sdists."""
    found: set[tuple[str, str]] = set()
    for archive in (folder / ARCHIVE_FOLDER).glob("*.tar.gz"):
        manifest = shipped_manifest(archive)
        if manifest is not None:
            found.add((normalized(manifest.extension.name), str(Version(manifest.extension.version))))
    for path in folder.glob("*"):
        try:
            found.add(distribution_of(path.name))
        except ValueError:
            continue
    return found


def _folder_release(folder: Path) -> Release:
    if (folder / MANIFEST_NAME).is_file():
        manifest = load_manifest(folder)
        return _release_in(folder / "dist", manifest.extension.name, manifest.extension.version)
    releases = sorted(_releases_in_output(folder))
    if len(releases) == 1:
        return _release_in(folder, *releases[0])
    if releases:
        held = ", ".join(f"{name} {version}" for name, version in releases)
        raise PublishRefused(
            f"{folder} holds several releases ({held}): give the wheel or the archive of one"
        )
    raise PublishRefused(f"{folder} holds no extension.toml and no built extension; publish takes {ACCEPTED}")


def find_release(target: str | Path) -> Release:
    """The release `target` names: an extension folder (its `dist/`), the output folder of `build
    --outdir`, a wheel or sdist (every file of its name and version beside it), or the
    `<name>-<version>.tar.gz` archive."""
    path = Path(target).resolve()
    if path.is_dir():
        return _folder_release(path)
    if not path.is_file():
        raise PublishRefused(f"{path} does not exist; publish takes {ACCEPTED}")
    if path.parent.name == ARCHIVE_FOLDER:
        return _archive_release(path)
    try:
        name, version = distribution_of(path.name)
    except ValueError as exc:
        raise PublishRefused(f"{exc}; publish takes {ACCEPTED}") from None
    return _release_in(path.parent, name, version)


def _refuse_existing(index: str, release: Release) -> None:
    there = [f.filename for f in project_files(index, release.name) if f.version == release.version]
    if there:
        raise PublishRefused(
            f"{release.name} {release.version} is already on {index} ({', '.join(there)}): a published "
            "version never changes; raise [extension] version (and [project] version) and build again"
        )


def publish_release(release: Release, index: str) -> list[tuple[Path, str]]:
    """Publish `release` to `index` (a folder, or an HTTP index whose upload URL is the index URL without
    its trailing `simple/`, credentials from TWINE_USERNAME and TWINE_PASSWORD); returns (file, sha256)."""
    _refuse_existing(index, release)
    hashed = [(path, sha256_of(path)) for path in release.files]
    if not is_remote(index):
        write_directory_index(index, release.name, hashed)
        return hashed
    if find_spec("twine") is None:
        raise PublishRefused("twine is not installed: pip install 'provisioning[extensions]'")
    upload_url = index.rstrip("/").removesuffix("/simple") + "/"
    result = subprocess.run(
        [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar",
         "--repository-url", upload_url, *map(str, release.files)],
        env={**os.environ, "TWINE_NON_INTERACTIVE": "1"},
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-2000:]
        if "409" in output or "400 Bad Request" in output:  # pypiserver answers twine 400 for a file it has
            raise PublishRefused(
                f"{upload_url} refused {release.name} {release.version}: a file of it is already there "
                "(or is not a valid distribution)"
            )
        if "403" in output or "401" in output:
            raise PublishRefused(
                f"{upload_url} refused the credentials: set TWINE_USERNAME and TWINE_PASSWORD "
                "(`provisioning registry key` prints the publisher's password)"
            )
        raise PublishRefused(f"twine upload to {upload_url} failed (exit {result.returncode}):\n{output}")
    return hashed
