"""The cluster packages' `__all__` names each name once, and each resolves (lazily loaded parts included)."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "provisioning.sdk.cluster",
    "provisioning.components.clusters",
    "provisioning.components.clusters.web_stack",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_resolve(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    assert [member for member in exported if not hasattr(module, member)] == []
