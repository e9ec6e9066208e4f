"""Which optional extra of the `provisioning` distribution provides a module a command could not import,
read from the installed distribution's metadata (`Requires-Dist: uvicorn>=0.29; extra == "cloud"`)."""

from __future__ import annotations

import re

__all__ = ["missing_extra_message"]

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)[^;]*;.*\bextra\s*==\s*['\"]([^'\"]+)['\"]")


def _extra_of(module: str) -> str | None:
    from importlib import metadata  # noqa: PLC0415 (only once a command failed)

    try:
        requirements = metadata.requires("provisioning") or []
    except metadata.PackageNotFoundError:
        return None
    wanted = module.split(".")[0].replace("-", "_").lower()
    for line in requirements:
        found = _REQUIREMENT.match(line)
        if found and found.group(1).replace("-", "_").replace(".", "_").lower() == wanted:
            return found.group(2)
    return None


def missing_extra_message(error: ModuleNotFoundError) -> str | None:
    """What to install when `error` is a module of one of the distribution's extras, else None."""
    if not error.name:
        return None
    extra = _extra_of(error.name)
    if extra is None:
        return None
    return (
        f"this command needs {error.name.split('.')[0]!r}, part of the `{extra}` extra: "
        f"pip install 'provisioning[{extra}]'"
    )
