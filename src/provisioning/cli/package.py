"""`provisioning package setup`: the venv a program in another Pulumi language points its runtime options at
(the engine runs the component package's Python resources with the *consuming* project's runtime options),
and the folder to give `pulumi package add`."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CliError, command_group

if TYPE_CHECKING:
    from ._common import Subcommands

__all__ = ["PackageVenv", "install_source", "make_venv", "register", "runtime_lines", "venv_of"]

_VIRTUALENV_LINE = re.compile(r"^([ \t]+virtualenv:[ \t]*)\S.*$", re.MULTILINE)
"""The `virtualenv:` line of a Pulumi.yaml's runtime options, changed in place (comments kept)."""
_FIND_PLUGIN = (
    "import importlib.metadata as m, provisioning.components.package as p; "
    "print(p.plugin_dir()); print(m.version('provisioning'))"
)


@dataclass(frozen=True)
class PackageVenv:
    """A venv with `provisioning` installed, and where its component package lives."""

    path: Path
    """The venv's folder."""
    plugin: Path
    """The component package's folder inside it (what `pulumi package add` takes)."""
    version: str
    """The installed `provisioning` version."""


def venv_of(path: Path) -> PackageVenv:
    """The venv at `path`, checked: `provisioning` is installed in it, not editable (an editable install's
    plugin folder is outside the venv, where its `PulumiPlugin.yaml` cannot find it)."""
    python = path / "bin" / "python"
    if not python.exists():
        raise CliError(f"{path} is not a venv (no bin/python): give an existing venv or a folder to make one")
    found = subprocess.run([str(python), "-c", _FIND_PLUGIN], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise CliError(
            f"provisioning is not installed in the venv {path}: "
            f"{path}/bin/pip install provisioning (or a wheel of it)"
        )
    plugin, version = found.stdout.split()
    if not Path(plugin).resolve().is_relative_to(path.resolve()):
        raise CliError(
            f"provisioning is installed editable in {path} (its component package is at {plugin}, outside "
            "the venv): make a venv with a regular install: provisioning package setup --venv <folder>"
        )
    return PackageVenv(path, Path(plugin), version)


def install_source() -> str:
    """What to install `provisioning` from into a new venv: the source folder of an editable install, the
    wheel or folder this one came from, else the same version from the package index."""
    try:
        dist = distribution("provisioning")
    except PackageNotFoundError as exc:  # pragma: no cover - the command is part of the distribution
        raise CliError("provisioning is not installed") from exc
    direct = dist.read_text("direct_url.json")
    if direct:
        url = str(json.loads(direct).get("url", ""))
        if url.startswith("file://"):
            return url.removeprefix("file://")
    return f"provisioning=={dist.version}"


def make_venv(path: Path, source: str) -> PackageVenv:
    """A new venv at `path` with `provisioning` installed from `source` (a wheel, folder or requirement)."""
    if path.exists() and any(path.iterdir()):
        raise CliError(f"{path} exists and is not a venv: give an empty or missing folder")
    print(f"==> making the venv {path} and installing provisioning from {source}", file=sys.stderr)
    steps = [
        [sys.executable, "-m", "venv", str(path)],
        [str(path / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", source],
    ]
    for step in steps:
        if subprocess.run(step, check=False).returncode != 0:
            shutil.rmtree(path, ignore_errors=True)  # no half-made venv to trip over next time
            raise CliError(f"`{' '.join(step)}` failed (see above); {path} was removed")
    return venv_of(path)


def runtime_lines(venv: Path, runtime: str = "nodejs") -> str:
    """The `runtime` block of a consuming project's Pulumi.yaml that points the engine at `venv`."""
    return f"runtime:\n  name: {runtime}\n  options:\n    virtualenv: {venv}\n"


def point_project_at(project: Path, venv: Path) -> Path:
    """Set `runtime.options.virtualenv` in `project`'s Pulumi.yaml (relative when the venv is inside the
    project, else absolute), keeping its runtime name and other options (and the file's text, comments
    included, when it only changes an existing `virtualenv:` line); returns the file."""
    import yaml

    file = project / "Pulumi.yaml"
    if not file.exists():
        raise CliError(f"{file} does not exist: give the folder of a Pulumi project (pulumi new typescript)")
    settings: dict[str, Any] = yaml.safe_load(file.read_text()) or {}
    runtime = settings.get("runtime") or "nodejs"
    if isinstance(runtime, str):
        runtime = {"name": runtime}
    options = dict(runtime.get("options") or {})
    resolved = venv.resolve()
    inside = resolved.is_relative_to(project.resolve())
    options["virtualenv"] = str(resolved.relative_to(project.resolve())) if inside else str(resolved)
    text = file.read_text()
    lines = _VIRTUALENV_LINE.findall(text)
    if "virtualenv" in (runtime.get("options") or {}) and len(lines) == 1:  # change that line alone
        file.write_text(_VIRTUALENV_LINE.sub(lambda m: m.group(1) + options["virtualenv"], text))
    else:
        settings["runtime"] = {**runtime, "options": options}
        file.write_text(yaml.safe_dump(settings, sort_keys=False))
    return file


def register(commands: Subcommands) -> None:
    """Add `provisioning package setup`."""
    actions = command_group(
        commands,
        "package",
        help="the component package for programs in other Pulumi languages (TypeScript, …)",
        description="WebStack and CustomDatabase as a Pulumi component package (docs/typescript.md).",
        metavar="ACTION",
    )
    setup = actions.add_parser(
        "setup",
        help="the venv a project's runtime options point at, and the folder for `pulumi package add`",
        description="Check (or make, with --venv) a venv where provisioning is installed, print the "
        "folder to give `pulumi package add` and the Pulumi.yaml runtime lines that point the engine at the "
        "venv (it runs the package's Python resources with the consuming project's runtime options); with "
        "--project, write those into the project's Pulumi.yaml.",
    )
    setup.add_argument(
        "--venv",
        type=Path,
        help="the venv: an existing one with provisioning installed, or a folder to make it in "
        "(default: the venv this command runs from)",
    )
    setup.add_argument(
        "--from",
        dest="source",
        help="what to install into a new venv: a wheel, a source folder or a requirement (default: where "
        "this provisioning came from, else provisioning==<this version>)",
    )
    setup.add_argument("--project", type=Path, help="a Pulumi project folder whose Pulumi.yaml to update")
    setup.set_defaults(func=_setup)


def _setup(args: argparse.Namespace) -> int:
    path = (args.venv or Path(sys.prefix)).absolute()
    if (path / "bin" / "python").exists():
        if args.source:
            raise CliError(f"{path} is already a venv: --from only applies to a venv this command makes")
        venv = venv_of(path)
    else:
        venv = make_venv(path, args.source or install_source())
    print(f"venv: {venv.path} (provisioning {venv.version})")
    print(f"package: {venv.plugin}")
    if args.project is not None:
        file = point_project_at(args.project, venv.path)
        print(f"updated: {file} (runtime.options.virtualenv)")
    else:
        print("\nIn the project's Pulumi.yaml:\n")
        print(runtime_lines(venv.path))
    print(f"Then, in the project: pulumi package add {venv.plugin}")
    return 0
