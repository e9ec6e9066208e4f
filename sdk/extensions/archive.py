"""The files an extension ships (`[build]` include and exclude) and its `<name>-<version>.tar.gz` archive,
written byte for byte the same from the same files: sorted entries, fixed times, owners and modes."""

from __future__ import annotations

import gzip
import io
import os
import re
import tarfile
import tomllib
import zipfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from .manifest import MANIFEST_NAME, Build, ExtensionManifest, parse_manifest

__all__ = [
    "ALWAYS_EXCLUDED",
    "DEFAULT_EPOCH",
    "build_epoch",
    "matches",
    "selected_files",
    "shipped_manifest",
    "write_archive",
]

ALWAYS_EXCLUDED = (
    ".git/**",
    ".venv/**",
    "dist/**",
    "build/**",
    "**/__pycache__/**",
    "*.pyc",
    "*.egg-info/**",
)
"""Never shipped, whatever `[build]` says: version control, virtualenvs, build output, caches."""
DEFAULT_EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip (wheel) can hold: the build time unless SOURCE_DATE_EPOCH."""


def build_epoch() -> int:
    """The time stamped on every built file: `SOURCE_DATE_EPOCH` if set, else `DEFAULT_EPOCH`."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else DEFAULT_EPOCH


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def matches(relative: str, pattern: str) -> bool:
    """A posix path relative to the root matches a glob: `**` spans folders, `*` does not; a pattern without
    '/' matches the file name at any depth (`*.tmp`, `README.md`)."""
    pattern = pattern.removeprefix("./")
    target = (
        relative if "/" in pattern.rstrip("/") or pattern.startswith("**") else relative.rsplit("/", 1)[-1]
    )
    return bool(_regex(pattern).fullmatch(target))


def selected_files(root: Path, build: Build, *, always: Sequence[str] = ()) -> list[str]:
    """The files under `root` (posix paths, sorted) that `build` includes and does not exclude, plus the
    `always` ones (the manifest, the project file) when present."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            relative = (Path(folder) / name).relative_to(root).as_posix()
            if any(matches(relative, p) for p in ALWAYS_EXCLUDED):
                continue
            if relative in always or (
                any(matches(relative, p) for p in build.include)
                and not any(matches(relative, p) for p in build.exclude)
            ):
                found.append(relative)
    return sorted(found)


def write_archive(root: Path, files: Sequence[str], target: Path, *, prefix: str, epoch: int) -> Path:
    """`files` of `root` as a gzipped tar at `target`, under folder `prefix`, reproducibly."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for relative in sorted(files):
            source = root / relative
            info = tarfile.TarInfo(f"{prefix}/{relative}")
            data = source.read_bytes()
            info.size, info.mtime = len(data), epoch
            info.mode = 0o755 if os.access(source, os.X_OK) else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch) as gz:
        gz.write(buffer.getvalue())
    return target


def shipped_manifest(path: Path) -> ExtensionManifest | None:
    """The `extension.toml` one folder down in a wheel, an sdist or an archive, if it ships one."""

    def top(name: str) -> bool:
        return name.count("/") == 1 and name.endswith("/" + MANIFEST_NAME)

    text: bytes | None = None
    if path.name.endswith(".whl"):
        with zipfile.ZipFile(path) as wheel:
            names = [name for name in wheel.namelist() if top(name)]
            text = wheel.read(names[0]) if names else None
    else:
        with tarfile.open(path) as tar:
            member = next((m for m in tar.getmembers() if top(m.name)), None)
            raw = tar.extractfile(member) if member is not None else None
            text = raw.read() if raw is not None else None
    if text is None:
        return None
    return parse_manifest(tomllib.loads(text.decode()), path=f"{path.name}:{MANIFEST_NAME}")
