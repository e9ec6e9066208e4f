"""`provisioning extension install NAME[==VERSION]`: resolve the extension and its `[dependencies] extensions`
on an index, download each file and check its SHA-256 against the one the index recorded (a changed file is
refused), then install the checked files with pip (their other dependencies come from pip's own indexes)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from packaging.requirements import Requirement
from packaging.version import Version

from .archive import shipped_manifest
from .errors import InstallRefused
from .index import IndexFile, project_files
from .manifest import ExtensionManifest
from .project import normalized

__all__ = ["Verified", "install_extension", "resolve_extensions"]


@dataclass(frozen=True)
class Verified:
    """A downloaded file whose SHA-256 is the one its index recorded."""

    requirement: str
    """What asked for it."""
    file: IndexFile
    """Its index entry."""
    path: Path
    """The checked local copy."""
    manifest: ExtensionManifest | None
    """The `extension.toml` it ships, if any."""


def _choose(index: str, requirement: Requirement) -> IndexFile:
    files = [f for f in project_files(index, requirement.name) if not f.filename.endswith(".tar.gz")] or [
        f for f in project_files(index, requirement.name)
    ]
    fitting = [f for f in files if requirement.specifier.contains(f.version, prereleases=True)]
    if not fitting:
        versions = ", ".join(sorted({f.version for f in files}, key=Version)) or "none"
        raise InstallRefused(f"no {requirement} on {index} (versions there: {versions})")
    return max(fitting, key=lambda f: (Version(f.version), f.filename.endswith(".whl")))


def _download(file: IndexFile, folder: Path) -> Path:
    target = folder / file.filename
    if file.url.startswith("file://"):
        target.write_bytes(Path(file.url.removeprefix("file://")).read_bytes())
        return target
    with httpx.stream("GET", file.url, follow_redirects=True, timeout=60) as response:
        response.raise_for_status()
        with target.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
    return target


def _verify(file: IndexFile, path: Path) -> None:
    if not file.sha256:
        raise InstallRefused(f"the index states no sha256 for {file.filename}: refusing an unverifiable file")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != file.sha256:
        raise InstallRefused(
            f"{file.filename} does not match the hash its index recorded (sha256 {digest}, expected "
            f"{file.sha256}): the file changed after it was published; refusing to install it"
        )


def resolve_extensions(
    requirement: str, index: str, folder: Path, *, progress: Callable[[str], None] = lambda _: None
) -> list[Verified]:
    """The extension and, recursively, its `[dependencies] extensions`, downloaded to `folder` and checked."""
    queue, seen, found = [(requirement, requirement)], set(), []
    while queue:
        text, asked_by = queue.pop(0)
        wanted = Requirement(text)
        if normalized(wanted.name) in seen:
            continue
        seen.add(normalized(wanted.name))
        chosen = _choose(index, wanted)
        progress(f"{chosen.filename}: downloading and checking its sha256")
        path = _download(chosen, folder)
        _verify(chosen, path)
        manifest = shipped_manifest(path)
        found.append(Verified(asked_by, chosen, path, manifest))
        if manifest is not None:
            queue += [
                (dep, f"{manifest.extension.name} [dependencies]") for dep in manifest.dependencies.extensions
            ]
    return found


def install_extension(
    requirement: str,
    index: str,
    *,
    pip_args: Sequence[str] = (),
    python: str = sys.executable,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Verified]:
    """Install `requirement` (`NAME` or `NAME==VERSION`) and its extension dependencies from `index` into
    the environment of `python` with pip; `pip_args` (e.g. `--find-links DIR`) go to pip."""
    try:
        Requirement(requirement)
    except Exception:
        raise InstallRefused(f"{requirement!r} is not NAME or NAME==VERSION") from None
    with tempfile.TemporaryDirectory(prefix="extension-install-") as scratch:
        verified = resolve_extensions(requirement, index, Path(scratch), progress=progress)
        progress(f"pip install {' '.join(v.file.filename for v in verified)}")
        result = subprocess.run(
            [python, "-m", "pip", "install", "--disable-pip-version-check", *pip_args,
             *(str(v.path) for v in verified)],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            raise InstallRefused(f"pip install failed (exit {result.returncode}):\n{tail}")
    return verified
