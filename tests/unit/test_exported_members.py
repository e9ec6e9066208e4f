"""Every public package of `provisioning` (found by walking the tree) exports in `__all__` exactly the public
names it defines, each once, and each resolves, names loaded on first use included."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

ROOTS = ("provisioning", "provisioning.sdk", "provisioning.providers", "provisioning.components",
         "provisioning.policies", "provisioning.emulator")  # fmt: skip
"""Where the walk starts: the top-level folders setup.py maps onto `provisioning.*` (an editable install
finds them apart from `provisioning`'s own folder)."""


def _public_packages() -> list[str]:
    """`provisioning` and every package under it with an `__all__`, private ones (`_x`) aside."""
    found = {root for root in ROOTS if hasattr(importlib.import_module(root), "__all__")}
    for root in ROOTS:
        package = importlib.import_module(root)
        for info in pkgutil.walk_packages(package.__path__, f"{root}."):
            if not info.ispkg or any(part.startswith("_") for part in info.name.split(".")):
                continue
            if hasattr(importlib.import_module(info.name), "__all__"):
                found.add(info.name)
    return sorted(found)


PUBLIC_PACKAGES = _public_packages()


def test_the_walk_finds_the_packages_a_user_imports() -> None:
    expected = {
        "provisioning.sdk",
        "provisioning.sdk.cluster",
        "provisioning.sdk.extensions",
        "provisioning.sdk.taskservice",
        "provisioning.providers.custom_cloud",
        "provisioning.components.clusters",
        "provisioning.components.clusters.web_stack",
        "provisioning.components.taskservs",
        "provisioning.components.taskservs.haproxy",
        "provisioning.emulator",
    }
    assert expected <= set(PUBLIC_PACKAGES), expected - set(PUBLIC_PACKAGES)


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_all_names_resolve(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    missing = [member for member in exported if not hasattr(module, member)]
    assert missing == [], f"{name}.__all__ names what it does not define: {missing}"


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_public_classes_and_functions_are_exported(name: str) -> None:
    module = importlib.import_module(name)
    defined_here = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_")
        and callable(value)
        and getattr(value, "__module__", "").startswith(name)
        and not getattr(value, "__module__", "").startswith(f"{name}._")
    }
    assert defined_here <= set(module.__all__), (
        f"{name} has public names outside __all__: {defined_here - set(module.__all__)}"
    )


WORKAROUNDS = {
    "raise_host_workers",
    "find_host_executor",
    "in_dynamic_host",
    "install_read_fallback",
    "install_create_urn",
    "with_urn",
    "PROVIDERS_BY_TYPE",
    "pickler_restored",
    "PATCHED_ATTRIBUTES",
}
"""The dynamic-host workarounds: internal, each in one private module."""


def test_workarounds_are_in_no_public_export() -> None:
    import pkgutil

    exported: dict[str, set[str]] = {}
    for root in ("provisioning", "provisioning.sdk", "provisioning.providers", "provisioning.components"):
        package = importlib.import_module(root)
        for info in pkgutil.walk_packages(package.__path__, f"{root}."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            exported[info.name] = set(getattr(module, "__all__", ())) & WORKAROUNDS
    assert {name: names for name, names in exported.items() if names} == {}
    assert "provisioning.sdk.dynamic" in exported, "the walk must reach the SDK's modules"
