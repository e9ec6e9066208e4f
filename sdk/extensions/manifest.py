"""The model of `extension.toml`, read with `tomllib`: every table and key, their defaults and rules.

A broken manifest raises `ManifestError` listing every problem as `[table] key: rule`. Imports no Pulumi."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..documented import DocumentedModel
from .errors import ManifestError, ManifestProblem

__all__ = [
    "KINDS",
    "MANIFEST_NAME",
    "Build",
    "Compatibility",
    "Configuration",
    "Dependencies",
    "ExtensionInfo",
    "ExtensionManifest",
    "Provides",
    "check_name",
    "load_manifest",
    "parse_manifest",
]

MANIFEST_NAME = "extension.toml"
"""The manifest's file name, at the extension's root."""
KINDS = ("providers", "taskservs", "clusters", "templates")
"""What an extension can provide: `[provides]` keys, each entry point group `provisioning.<kind>`."""

_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_ENTRY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PACKAGE = re.compile(r"[a-z0-9][a-z0-9+.-]*")


def check_name(value: str) -> str:
    """`value` if it is a valid extension name, else ValueError stating the rule."""
    if len(value) > 64 or not _NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} must be 1 to 64 lowercase letters, digits and single dashes, starting with a letter "
            "(my-extension)"
        )
    return value


def _parses(parse: Callable[[str], object], error: type[Exception], rule: str) -> Callable[[str], str]:
    """A validator: the value if `parse` accepts it, else ValueError naming the value and `rule`."""

    def check(value: str) -> str:
        try:
            parse(value)
        except error:
            raise ValueError(f"{value!r} {rule}") from None
        return value

    return check


_version = _parses(Version, InvalidVersion, "is not a version: use a PEP 440 version such as 1.0.0")
_specifier = _parses(SpecifierSet, InvalidSpecifier, "is not a version specifier such as '>=1.0,<2'")
_requirement = _parses(Requirement, InvalidRequirement, "is not a requirement such as 'acme-dns>=1.2,<2'")


def _matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


Name = Annotated[str, AfterValidator(check_name)]
EntryName = Annotated[str, _matching(_ENTRY_NAME, "an entry point name (letters, digits, '.', '_', '-')")]
EnvName = Annotated[str, _matching(_ENV, "an environment variable name (letters, digits and '_')")]
PackageName = Annotated[str, _matching(_PACKAGE, "a system package name (curl, postgresql-15)")]
Pattern = Annotated[str, Field(min_length=1)]


class _Table(DocumentedModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExtensionInfo(_Table):
    """`[extension]`: who the extension is."""

    name: Name
    """Its name: lowercase letters, digits and dashes (`my-custom-provider`)."""
    version: Annotated[str, AfterValidator(_version)]
    """Its version (PEP 440: `1.0.0`); the distribution's version must be the same."""
    description: str = ""
    """One line saying what it provides."""
    author: str = ""
    """`Name <email>`."""
    license: str = ""
    """An SPDX license expression (`MIT`, `Apache-2.0`)."""
    homepage: str = ""
    """Its web page."""
    repository: str = ""
    """Where its source lives."""
    keywords: list[str] = Field(default_factory=list)
    """Words to find it by."""
    categories: list[str] = Field(default_factory=list)
    """What kind of extension it is (`providers`, `databases`, …)."""


class Compatibility(_Table):
    """`[compatibility]`: the versions it works with."""

    provisioning_version: Annotated[str, AfterValidator(_specifier)] | None = None
    """The `provisioning` SDK versions it needs (`>=0.1,<1`), checked against the installed one."""
    pulumi_version: Annotated[str, AfterValidator(_specifier)] | None = None
    """The `pulumi` package versions it needs, checked against the installed one."""
    kcl_version: str | None = None
    """Accepted for manifests written for KCL; not applicable here (nothing is written in KCL)."""


class Provides(_Table):
    """`[provides]`: what it brings, each name an entry point of group `provisioning.<kind>`."""

    providers: list[EntryName] = Field(default_factory=list)
    """Providers (group `provisioning.providers`)."""
    taskservs: list[EntryName] = Field(default_factory=list)
    """Task services (group `provisioning.taskservs`)."""
    clusters: list[EntryName] = Field(default_factory=list)
    """Clusters (group `provisioning.clusters`)."""
    templates: list[EntryName] = Field(default_factory=list)
    """`pulumi new` project templates (group `provisioning.templates`)."""

    def by_kind(self) -> dict[str, list[str]]:
        """Every kind with the names provided of it."""
        return {kind: list(getattr(self, kind)) for kind in KINDS}


class Dependencies(_Table):
    """`[dependencies]`: what must be there besides it."""

    extensions: list[Annotated[str, AfterValidator(_requirement)]] = Field(default_factory=list)
    """Other extensions, as requirements with version specifiers (`acme-dns>=1.2`); installed with it."""
    system_packages: list[PackageName] = Field(default_factory=list)
    """Debian packages (or commands) the host running it needs (`curl`, `jq`)."""


class Configuration(_Table):
    """`[configuration]`: what it reads from its environment and stack."""

    required_env: list[EnvName] = Field(default_factory=list)
    """Environment variables it cannot run without."""
    optional_env: list[EnvName] = Field(default_factory=list)
    """Environment variables it reads when set."""
    stack_config: list[str] = Field(default_factory=list)
    """Pulumi stack config keys it reads (`custom-cloud:apiKey`)."""
    auth_methods: list[str] = Field(default_factory=list)
    """How it authenticates (`api_key`)."""


class Build(_Table):
    """`[build]`: which files the archive (and the wheel and sdist) hold, as glob patterns from the root."""

    include: list[Pattern] = Field(default_factory=lambda: ["**"])
    """Files to ship (`src/**`, `README.md`); `**` matches any number of folders."""
    exclude: list[Pattern] = Field(default_factory=list)
    """Files to leave out even if included (`tests/**`, `*.tmp`)."""


class ExtensionManifest(_Table):
    """A whole `extension.toml`."""

    extension: ExtensionInfo
    """`[extension]`."""
    compatibility: Compatibility = Field(default_factory=Compatibility)
    """`[compatibility]`."""
    provides: Provides = Field(default_factory=Provides)
    """`[provides]`."""
    dependencies: Dependencies = Field(default_factory=Dependencies)
    """`[dependencies]`."""
    configuration: Configuration = Field(default_factory=Configuration)
    """`[configuration]`."""
    build: Build = Field(default_factory=Build)
    """`[build]`."""

    @property
    def kinds(self) -> list[str]:
        """The kinds it provides something of."""
        return [kind for kind, names in self.provides.by_kind().items() if names]

    def config_key_for(self, env: str) -> str | None:
        """The declared stack config key that stands for the environment variable `env`: for extension
        `custom-cloud`, `CUSTOM_CLOUD_API_KEY` → `custom-cloud:apiKey` when `[configuration] stack_config`
        lists it; else None."""
        prefix = self.extension.name.upper().replace("-", "_") + "_"
        if not env.startswith(prefix) or env == prefix:
            return None
        first, *rest = env.removeprefix(prefix).lower().split("_")
        key = f"{self.extension.name}:{first}{''.join(word.capitalize() for word in rest)}"
        return key if key in self.configuration.stack_config else None


def _known(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] = ExtensionManifest
    for part in loc:
        annotation = model.model_fields[str(part)].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)


def _problem(error: Mapping[str, Any]) -> ManifestProblem:
    loc = tuple(error.get("loc", ()))
    table, key = str(loc[0]), ".".join(str(p) for p in loc[1:]) or None
    kind, value = error.get("type"), error.get("input")
    if kind == "missing":
        rule = "the table is required" if key is None else "is required"
    elif kind == "extra_forbidden":
        known = ", ".join(_known(loc[:-1]))
        rule = f"unknown {'table' if key is None else 'key'}; known: {known}"
    elif kind == "model_type":
        rule = f"must be a table, not {value!r}"
    elif kind in ("string_type", "list_type"):
        rule = f"must be {'a string' if kind == 'string_type' else 'a list'}, not {value!r}"
    else:
        rule = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return ManifestProblem(table, key, rule)


def parse_manifest(data: Mapping[str, Any], *, path: str = MANIFEST_NAME) -> ExtensionManifest:
    """The manifest of parsed TOML `data`; `ManifestError` lists every broken rule."""
    try:
        return ExtensionManifest.model_validate(dict(data))
    except ValidationError as exc:
        raise ManifestError(path, [_problem(error) for error in exc.errors()]) from None


def load_manifest(path: str | Path) -> ExtensionManifest:
    """The manifest at `path` (a file, or a folder holding `extension.toml`)."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        problem = ManifestProblem("extension", None, f"no {MANIFEST_NAME} at {path}")
        raise ManifestError(str(path), [problem]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(str(path), [ManifestProblem("extension", None, f"not TOML: {exc}")]) from None
    return parse_manifest(data, path=str(path))
