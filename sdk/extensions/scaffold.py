"""`provisioning extension new`: a working extension from the skeletons in `provisioning.templates`
(`extension/common` plus `extension/<kind>`): `pyproject.toml`, `extension.toml`, a skeleton on the SDK's
bases, tests against the local Custom Cloud and a README. Jinja2 renders every `*.j2` (a `templates/`
folder, the extension's own templates, is copied as it is); a path part `__package__` becomes the package
name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

from provisioning import __version__

from .errors import ExtensionError
from .manifest import check_name

__all__ = ["SCAFFOLD_KINDS", "scaffold_extension", "skeleton_values"]

SCAFFOLD_KINDS = ("provider", "taskserv", "cluster")
"""What `extension new --type` makes."""

_USAGE = {
    "provider": 'from {package} import {cls}\n\ndisk = {cls}("data", size=20, zone="us-west-1a")',
    "taskserv": 'from {package} import {cls}\n\nservice = {cls}("web", {{"port": 8080}}, target=target)',
    "cluster": 'from {package} import {cls}\n\nstack = {cls}("app", {{"servers": 2}})',
}


def skeleton_values(name: str, kind: str, *, author: str = "") -> dict[str, Any]:
    """The values the skeleton is rendered with."""
    words = re.split(r"-", name)
    package, cls = "_".join(words), "".join(w.capitalize() for w in words)
    release = ".".join(__version__.split(".")[:2])
    return {
        "name": name,
        "version": "0.1.0",
        "kind": kind,
        "package": package,
        "class_name": cls,
        "constant": package.upper(),
        "entry_module": "spec",
        "description": f"{cls}: a provisioning {kind} extension",
        "author": author or "you <you@example.com>",
        "provisioning_version": release,
        "usage": _USAGE[kind].format(package=package, cls=cls),
    }


def _render_tree(source: Path, target: Path, values: Mapping[str, Any], env: Environment) -> list[Path]:
    written = []
    for path in sorted(source.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(source).as_posix().replace("__package__", str(values["package"]))
        rendered = path.suffix == ".j2" and "templates" not in path.relative_to(source).parts
        out = target / (relative.removesuffix(".j2") if rendered else relative)
        out.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        out.write_text(env.from_string(text).render(**values) if rendered else text, "utf-8")
        written.append(out)
    return written


def scaffold_extension(name: str, kind: str, parent: str | Path, *, author: str = "") -> Path:
    """Write extension `name` of `kind` into `<parent>/<name>`, which must not exist; returns that folder."""
    try:
        check_name(name)
    except ValueError as exc:
        raise ExtensionError(f"extension name {exc}") from None
    if kind not in SCAFFOLD_KINDS:
        raise ExtensionError(f"unknown extension type {kind!r}; known: {', '.join(SCAFFOLD_KINDS)}")
    target = Path(parent).resolve() / name
    if target.exists():
        raise ExtensionError(f"{target} already exists: choose another name or folder")
    skeletons = Path(str(resources.files("provisioning.templates") / "extension"))
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    values = skeleton_values(name, kind, author=author)
    target.mkdir(parents=True)
    for part in ("common", kind):
        _render_tree(skeletons / part, target, values, env)
    return target
