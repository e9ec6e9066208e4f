"""`provisioning extension build`: a wheel and an sdist through the standard build front end (PEP 517,
`python -m build`) from exactly the files `[build]` selects, plus the `<name>-<version>.tar.gz` archive;
every file time is `SOURCE_DATE_EPOCH` (or `DEFAULT_EPOCH`), so two builds give the same bytes."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from .archive import build_epoch, selected_files, write_archive
from .errors import BuildFailed
from .manifest import MANIFEST_NAME
from .project import PYPROJECT, find_project

__all__ = ["ARCHIVE_FOLDER", "BuildResult", "build_extension", "sha256_of"]

ARCHIVE_FOLDER = "archive"
"""The archive goes in this folder of the output folder (its name could be the sdist's otherwise)."""


def sha256_of(path: Path) -> str:
    """The file's SHA-256, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildResult:
    """What one build made."""

    archive: Path
    """`<outdir>/archive/<name>-<version>.tar.gz`."""
    distributions: tuple[Path, ...]
    """The wheel and the sdist (none for an extension that is part of a larger distribution)."""
    epoch: int
    """The time stamped on every file."""

    @property
    def files(self) -> tuple[Path, ...]:
        """Everything built."""
        return (*self.distributions, self.archive)


def build_extension(
    path: str | Path, *, outdir: str | Path | None = None, progress: Callable[[str], None] = lambda _: None
) -> BuildResult:
    """Build the extension at `path` into `outdir` (default `<path>/dist`)."""
    project = find_project(path)
    manifest, root = project.manifest, project.root
    out = Path(outdir).resolve() if outdir else root / "dist"
    epoch = build_epoch()
    always = (MANIFEST_NAME, PYPROJECT) if project.standalone else (MANIFEST_NAME,)
    files = selected_files(root, manifest.build, always=always)
    name, version = manifest.extension.name, manifest.extension.version
    progress(f"archive: {len(files)} files selected by [build] include/exclude")
    archive = write_archive(
        root,
        files,
        out / ARCHIVE_FOLDER / f"{name}-{version}.tar.gz",
        prefix=f"{name}-{version}",
        epoch=epoch,
    )
    if not project.standalone:
        progress(f"no wheel: {root} is part of the distribution built from {project.project_root}")
        return BuildResult(archive, (), epoch)
    if find_spec("build") is None:
        raise BuildFailed(
            "the build front end is not installed: pip install 'provisioning[extensions]' (it brings `build`)"
        )
    with tempfile.TemporaryDirectory(prefix="extension-build-") as scratch:
        stage, dist = Path(scratch) / "src", Path(scratch) / "dist"
        for relative in files:
            target = stage / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / relative, target)
            os.utime(target, (epoch, epoch))
        progress("wheel and sdist: python -m build (PEP 517, in an isolated environment)")
        result = subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(dist), str(stage)],
            env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            raise BuildFailed(f"python -m build failed for {root} (exit {result.returncode}):\n{tail}")
        made = []
        for built in sorted(dist.iterdir()):
            target = out / built.name
            out.mkdir(parents=True, exist_ok=True)
            shutil.move(str(built), target)
            made.append(target)
    return BuildResult(archive, tuple(made), epoch)
