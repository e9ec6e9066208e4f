"""Installed extensions, found through entry points (`provisioning.<kind>` for each kind of `KINDS`): what
each distribution provides, its manifest when it ships one, and where it comes from. Imports no Pulumi."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import Distribution, EntryPoint, entry_points
from importlib.util import find_spec
from pathlib import Path

from .errors import ExtensionError
from .manifest import KINDS, MANIFEST_NAME, ExtensionManifest, load_manifest

__all__ = [
    "InstalledExtension",
    "UnknownTemplate",
    "entry_point_group",
    "installed_extensions",
    "manifest_of_module",
    "template_path",
]


def entry_point_group(kind: str) -> str:
    """The entry point group of a kind of `KINDS`: `provisioning.providers`, …"""
    return f"provisioning.{kind}"


class UnknownTemplate(ExtensionError, LookupError):
    """No installed extension provides a template of that name."""


@dataclass(frozen=True)
class InstalledExtension:
    """One kind of thing an installed distribution provides (a row of `provisioning extension list`)."""

    name: str
    """The extension's name (its manifest's, else the distribution's)."""
    version: str
    """Its version (its manifest's, else the distribution's)."""
    kind: str
    """One of `KINDS`."""
    provides: tuple[str, ...]
    """The entry point names it provides of that kind."""
    origin: str
    """Where it comes from: the distribution, its version and where it is installed."""


def _module_of(entry: EntryPoint) -> str:
    return entry.value.partition(":")[0].strip()


def manifest_of_module(module: str) -> tuple[Path, ExtensionManifest] | None:
    """The `extension.toml` nearest above a module's folder within its top-level package, if any."""
    spec = find_spec(module)
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent
    for _ in range(module.count(".") + 1):
        candidate = folder / MANIFEST_NAME
        if candidate.is_file():
            return candidate, load_manifest(candidate)
        folder = folder.parent
    return None


def _origin(dist: Distribution | None) -> str:
    if dist is None:
        return "unknown distribution"
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    editable = bool(direct.get("dir_info", {}).get("editable"))
    location = direct.get("url", "").removeprefix("file://") if editable else dist.locate_file("")
    return (
        f"{dist.metadata['Name']} {dist.version} ({Path(str(location)).resolve()}{', editable' * editable})"
    )


def installed_extensions() -> list[InstalledExtension]:
    """Every installed extension by kind, sorted by name and kind (loads no extension code)."""
    rows: dict[tuple[str, str], tuple[str, list[str], str]] = {}
    for kind in KINDS:
        for entry in entry_points(group=entry_point_group(kind)):
            dist = entry.dist
            found = None if kind == "templates" else manifest_of_module(_module_of(entry))
            if found is not None:
                name, version = found[1].extension.name, found[1].extension.version
            elif dist is not None:
                name, version = dist.metadata["Name"], dist.version
            else:
                name, version = entry.name, "?"
            row = rows.setdefault((name, kind), (version, [], _origin(dist)))
            row[1].append(entry.name)
    return [
        InstalledExtension(name, version, kind, tuple(sorted(names)), origin)
        for (name, kind), (version, names, origin) in sorted(rows.items())
    ]


def template_path(name: str) -> Path:
    """The folder of an installed `pulumi new` template: entry point `name` of `provisioning.templates`
    names a package whose folder holds the template in a subfolder of that name."""
    group = entry_point_group("templates")
    found = {entry.name: entry for entry in entry_points(group=group)}
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise UnknownTemplate(f"no installed extension provides template {name!r} ({group}); known: {known}")
    folder = Path(str(resources.files(_module_of(found[name])) / name))
    if not (folder / "Pulumi.yaml").is_file():
        raise UnknownTemplate(f"template {name!r} ({found[name].value}) has no Pulumi.yaml in {folder}")
    return folder
