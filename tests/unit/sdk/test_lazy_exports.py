"""`exports_on_first_use`: a package's `TYPE_CHECKING` block is its one list of public names, for `__all__`,
for the names imported on first use, and (`Name as Name`) for type checkers."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGES = ("provisioning.providers.custom_cloud", "provisioning.sdk", "provisioning.sdk.extensions")
"""The packages whose public names are their `TYPE_CHECKING` block."""


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: str) -> str:
    """A package `lazypkg` in `tmp_path` with module `parts` (`A`, `b`) and `block` as its export block."""
    monkeypatch.syspath_prepend(tmp_path)
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "parts.py").write_text("A = 'a'\nb = 'b'\n")
    (root / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from provisioning.sdk._lazy import exports_on_first_use\n"
        f"if TYPE_CHECKING:\n{block}\n"
        "__all__, __getattr__ = exports_on_first_use(__name__)\n"
    )
    return "lazypkg"


@pytest.fixture(autouse=True)
def _forget_lazypkg() -> object:
    yield
    for name in [m for m in sys.modules if m == "lazypkg" or m.startswith("lazypkg.")]:
        del sys.modules[name]


def test_the_block_is_all_and_each_name_is_imported_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _package(tmp_path, monkeypatch, "    from .parts import b as b\n    from .parts import A as A")
    package = importlib.import_module(name)
    assert package.__all__ == ["A", "b"]
    assert f"{name}.parts" not in sys.modules
    assert package.A == "a" and f"{name}.parts" in sys.modules
    with pytest.raises(AttributeError, match="has no attribute 'c'"):
        package.c  # noqa: B018


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("    from .parts import A", "write `A as A`"),
        ("    from .parts import A as B", "write `A as A`"),
        ("    import os", "only `from .module import Name as Name`"),
    ],
)
def test_a_name_type_checkers_would_not_see_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: str, message: str
) -> None:
    with pytest.raises(ImportError, match=message):
        importlib.import_module(_package(tmp_path, monkeypatch, block))


@pytest.mark.parametrize("name", PACKAGES)
def test_the_packages_export_their_block_and_load_nothing_heavy(name: str) -> None:
    probe = f"import sys, {name} as p\nprint(len(p.__all__), 'pulumi' in sys.modules, 'httpx' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    count, pulumi, httpx = done.stdout.split()
    assert int(count) > 10 and (pulumi, httpx) == ("False", "False")
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    assert all(getattr(module, member) is not None for member in module.__all__)
