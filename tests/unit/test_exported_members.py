"""Every public package's `__all__` names exactly the public names it defines, and each resolves."""

from __future__ import annotations

import importlib

import pytest

PUBLIC_PACKAGES = [
    "provisioning",
    "provisioning.sdk",
    "provisioning.providers.custom_cloud",
    "provisioning.emulator",
    "provisioning.emulator.hosts",
]


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
