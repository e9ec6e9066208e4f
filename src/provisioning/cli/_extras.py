"""Which optional extra of the `provisioning` distribution provides a module a command could not import,
read from the installed distribution's metadata (`Requires-Dist: uvicorn>=0.29; extra == "cloud"`)."""

from __future__ import annotations

__all__ = ["missing_extra_message"]


def _extra_of(module: str) -> str | None:
    from importlib import metadata  # noqa: PLC0415 (only once a command failed)

    from packaging.requirements import Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    try:
        requirements = metadata.requires("provisioning") or []
        extras: list[str] = metadata.metadata("provisioning").get_all("Provides-Extra") or []
    except metadata.PackageNotFoundError:
        return None
    wanted = canonicalize_name(module.split(".")[0])
    for line in requirements:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) != wanted or requirement.marker is None:
            continue
        for extra in extras:
            if requirement.marker.evaluate({"extra": extra}):
                return extra
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
