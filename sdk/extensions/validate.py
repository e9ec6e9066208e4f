"""`provisioning extension validate`: the manifest is valid, every `[provides]` name resolves to an importable
provider / task service / cluster / template of its kind, compatibility holds, and the environment has the
declared variables and system packages. The result is data (`Finding`s) with an exit code for CI."""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Literal

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from provisioning.sdk.registry import declarations

from .discovery import entry_point_group, installed_extensions
from .errors import ExtensionError, ManifestError, StackConfigUnavailable
from .manifest import ExtensionManifest
from .project import ExtensionProject, find_project, normalized

__all__ = [
    "EXIT_ENVIRONMENT",
    "EXIT_INVALID",
    "EXIT_OK",
    "Finding",
    "StackConfigKeys",
    "ValidationReport",
    "validate_extension",
]

EXIT_OK = 0
"""Everything holds."""
EXIT_INVALID = 1
"""The extension itself is wrong: its manifest, what it provides, or its compatibility."""
EXIT_ENVIRONMENT = 3
"""The extension is right but this environment lacks what it needs (variables, packages, extensions)."""

Status = Literal["ok", "fail", "missing", "note"]
_DECLARED_KIND = {"providers": "resource", "taskservs": "taskserv", "clusters": "cluster"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One check of `validate`."""

    check: str
    """What was checked (`[provides] providers: acme`)."""
    status: Status
    """ok; fail (the extension is wrong); missing (this environment lacks it); note (for information)."""
    detail: str
    """What was found, or what to do."""


@dataclass
class ValidationReport:
    """Every finding of one `validate`."""

    path: Path
    """The extension's folder."""
    manifest: ExtensionManifest | None = None
    """The manifest, when it is valid."""
    findings: list[Finding] = field(default_factory=list)
    """In the order checked."""

    @property
    def exit_code(self) -> int:
        """`EXIT_INVALID` if anything failed, else `EXIT_ENVIRONMENT` if anything is missing, else 0."""
        statuses = {finding.status for finding in self.findings}
        if "fail" in statuses:
            return EXIT_INVALID
        return EXIT_ENVIRONMENT if "missing" in statuses else EXIT_OK

    def add(self, check: str, status: Status, detail: str) -> None:
        self.findings.append(Finding(check, status, detail))


def _installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


@contextmanager
def _importable_from(folders: Sequence[Path]) -> Iterator[None]:
    added = [str(folder) for folder in folders if str(folder) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for folder in added:
            sys.path.remove(folder)


def _resolve(project: ExtensionProject, kind: str, name: str) -> tuple[Status, str]:
    group = entry_point_group(kind)
    points = project.entry_points(kind)
    if name not in points:
        known = ", ".join(sorted(points)) or "none"
        return "fail", (
            f"not an entry point of group {group} in {project.project_root / 'pyproject.toml'} "
            f'(it declares: {known}): add `{name} = "<module>"` under '
            f'[project.entry-points."{group}"] or drop it from [provides] {kind}'
        )
    module = points[name].partition(":")[0].strip()
    with _importable_from(project.source_roots()):
        try:
            loaded = importlib.import_module(module)
        except Exception as exc:
            return "fail", f"entry point {name} = {module!r} does not import: {type(exc).__name__}: {exc}"
        if kind == "templates":
            folder = Path(str(resources.files(module) / name))
            if not (folder / "Pulumi.yaml").is_file():
                return "fail", f"{folder} is not a `pulumi new` template: it has no Pulumi.yaml"
            return "ok", f"template {folder}"
    package = module if hasattr(loaded, "__path__") or "." not in module else module.rpartition(".")[0]
    tokens = sorted(
        token
        for token, decl in declarations().items()
        if decl.kind == _DECLARED_KIND[kind]
        and (decl.model.__module__ == package or decl.model.__module__.startswith(package + "."))
    )
    if not tokens:
        return "fail", (
            f"module {module!r} registers no {_DECLARED_KIND[kind]} declaration: call "
            f'provisioning.sdk.registry.register(Declaration(..., kind="{_DECLARED_KIND[kind]}")) in it'
        )
    return "ok", f"{module}: {', '.join(tokens)}"


def _check_provides(report: ValidationReport, project: ExtensionProject) -> None:
    for kind, names in project.manifest.provides.by_kind().items():
        for name in names:
            status, detail = _resolve(project, kind, name)
            report.add(f"[provides] {kind}: {name}", status, detail)
    if not project.manifest.kinds:
        report.add(
            "[provides]",
            "fail",
            "provides nothing: list at least one provider, taskserv, cluster or template",
        )


def _check_versions(report: ValidationReport, project: ExtensionProject) -> None:
    manifest = project.manifest
    if project.standalone and project.distribution_version not in (None, manifest.extension.version):
        report.add(
            "[extension] version",
            "fail",
            f"{manifest.extension.version!r} differs from pyproject.toml's [project] version "
            f"{project.distribution_version!r}: make them the same",
        )
    compatibility = manifest.compatibility
    for key, distribution in (("provisioning_version", "provisioning"), ("pulumi_version", "pulumi")):
        wanted = getattr(compatibility, key)
        if wanted is None:
            continue
        installed = _installed_version(distribution)
        if installed is None:
            report.add(
                f"[compatibility] {key}", "missing", f"{distribution} is not installed (needs {wanted})"
            )
        elif SpecifierSet(wanted).contains(installed, prereleases=True):
            report.add(f"[compatibility] {key}", "ok", f"{wanted!r} holds for {distribution} {installed}")
        else:
            report.add(
                f"[compatibility] {key}",
                "fail",
                f"{wanted!r} is not satisfied by the installed {distribution} {installed}",
            )
    if compatibility.kcl_version is not None:
        report.add(
            "[compatibility] kcl_version",
            "note",
            f"{compatibility.kcl_version!r}: not applicable (schemas are pydantic models, nothing runs KCL)",
        )


def _extension_version(name: str) -> str | None:
    """The version of an installed extension: a distribution of that name, else an extension of that name
    inside an installed distribution (the Custom Cloud provider ships inside provisioning)."""
    found = _installed_version(name)
    if found is not None:
        return found
    versions = {e.version for e in installed_extensions() if normalized(e.name) == normalized(name)}
    return max(versions, key=Version) if versions else None


def _check_dependencies(report: ValidationReport, manifest: ExtensionManifest) -> None:
    for text in manifest.dependencies.extensions:
        requirement = Requirement(text)
        installed = _extension_version(requirement.name)
        if installed is not None and requirement.specifier.contains(installed, prereleases=True):
            report.add(f"[dependencies] extensions: {text}", "ok", f"{requirement.name} {installed}")
        else:
            got = "not installed" if installed is None else f"{installed} is installed"
            hint = f"provisioning extension install '{text}'"
            report.add(f"[dependencies] extensions: {text}", "missing", f"{got}: {hint}")
    missing = [package for package in manifest.dependencies.system_packages if not _system_package(package)]
    if manifest.dependencies.system_packages:
        if missing:
            how = f"apt-get install {' '.join(missing)}"
            report.add("[dependencies] system_packages", "missing", f"missing: {', '.join(missing)} ({how})")
        else:
            report.add(
                "[dependencies] system_packages", "ok", ", ".join(manifest.dependencies.system_packages)
            )


def _system_package(package: str) -> bool:
    """A command of that name is on PATH, or dpkg knows the package as installed."""
    if shutil.which(package):
        return True
    dpkg = shutil.which("dpkg-query")
    if dpkg is None:
        return False
    result = subprocess.run(
        [dpkg, "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and result.stdout.endswith("installed")


StackConfigKeys = Callable[[], Collection[str]]
"""The config keys the user's stack sets (values never read); raises `StackConfigUnavailable` saying why
there is no stack to read."""


def _no_stack() -> Collection[str]:
    raise StackConfigUnavailable("no stack config given")


def _required_variable(
    manifest: ExtensionManifest, name: str, stack_keys: StackConfigKeys
) -> tuple[bool, str]:
    """Whether `name` is satisfied (by the environment or the stack config key standing for it), in words."""
    if os.environ.get(name):
        return True, f"{name} is set"
    key = manifest.config_key_for(name)
    if key is None:
        return False, f"{name} is not set"
    try:
        found = key in stack_keys()
    except StackConfigUnavailable as exc:
        return False, f"{name} is not set, nor is stack config {key} ({exc})"
    if found:
        return True, f"{name} is not set, but stack config {key} is (either one will do)"
    return False, f"{name} is not set, nor is stack config {key} (either one will do)"


def _check_environment(
    report: ValidationReport, manifest: ExtensionManifest, stack_keys: StackConfigKeys
) -> None:
    results = [_required_variable(manifest, name, stack_keys) for name in manifest.configuration.required_env]
    if results:
        status: Status = "ok" if all(ok for ok, _ in results) else "missing"
        report.add("[configuration] required_env", status, "; ".join(words for _, words in results))


def validate_extension(path: str | Path, *, stack_config: StackConfigKeys = _no_stack) -> ValidationReport:
    """Every check of the extension at `path`; never raises for a broken extension (the report says).
    A required variable is also satisfied by the stack config key standing for it, where the extension
    declares that key and `stack_config` (read only when needed) lists it as set."""
    report = ValidationReport(Path(path).resolve())
    try:
        project = find_project(path)
    except ManifestError as exc:
        for problem in exc.problems:
            where = f"[{problem.table}]" + (f" {problem.key}" if problem.key else "")
            report.add(where, "fail", problem.rule)
        return report
    except ExtensionError as exc:
        report.add("pyproject.toml", "fail", str(exc))
        return report
    report.manifest = project.manifest
    report.add(
        "extension.toml", "ok", f"{project.manifest.extension.name} {project.manifest.extension.version}"
    )
    _check_versions(report, project)
    _check_provides(report, project)
    _check_dependencies(report, project.manifest)
    _check_environment(report, project.manifest, functools.cache(stack_config))
    return report
