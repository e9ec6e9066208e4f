"""An extension's source folder: its manifest, and the Python project (`pyproject.toml`) it is part of, with
the entry points that make its `[provides]` names findable. Imports no Pulumi."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from .discovery import entry_point_group
from .errors import ExtensionError
from .manifest import KINDS, MANIFEST_NAME, ExtensionManifest, load_manifest

__all__ = ["PYPROJECT", "ExtensionProject", "find_project", "normalized"]

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class ExtensionProject:
    """An extension folder and the Python project that holds it."""

    root: Path
    """The folder of `extension.toml`."""
    manifest: ExtensionManifest
    """Its manifest."""
    project_root: Path
    """The folder of the `pyproject.toml` that builds it (the same folder for a stand-alone extension)."""
    pyproject: dict[str, Any]
    """That `pyproject.toml`, parsed."""

    @property
    def standalone(self) -> bool:
        """It is its own distribution (its `pyproject.toml` beside its manifest)."""
        return self.root == self.project_root

    @property
    def distribution(self) -> str:
        """The distribution's name (`[project] name`)."""
        return str(self.pyproject.get("project", {}).get("name", ""))

    @property
    def distribution_version(self) -> str | None:
        """`[project] version` (None when the build computes it)."""
        version = self.pyproject.get("project", {}).get("version")
        return None if version is None else str(version)

    def entry_points(self, kind: str) -> dict[str, str]:
        """The project's entry points of a kind's group: name → `module[:attr]`."""
        groups = self.pyproject.get("project", {}).get("entry-points", {})
        return dict(groups.get(entry_point_group(kind), {}))

    def source_roots(self) -> list[Path]:
        """Folders to import its modules from before it is installed (`src/` layout first)."""
        return [p for p in (self.project_root / "src", self.project_root) if p.is_dir()]


def find_project(path: str | Path) -> ExtensionProject:
    """The extension at `path` (a folder holding `extension.toml`) and the nearest `pyproject.toml` at or
    above it."""
    root = Path(path).resolve()
    manifest = load_manifest(root)
    for folder in (root, *root.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file():
            with candidate.open("rb") as file:
                return ExtensionProject(root, manifest, folder, tomllib.load(file))
    raise ExtensionError(
        f"{root / MANIFEST_NAME} belongs to no Python project: add a {PYPROJECT} beside it "
        f"(`provisioning extension new` makes one) that declares its entry points ({', '.join(KINDS)})"
    )


def normalized(name: str) -> str:
    """A distribution name as indexes compare them (PEP 503)."""
    return str(canonicalize_name(name))
