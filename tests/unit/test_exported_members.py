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
