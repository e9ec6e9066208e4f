"""`exports_on_first_use`: a package's `from .module import Name as Name` lines are its one list of public
names, for `__all__`, for type checkers, and (inside `TYPE_CHECKING`) for the names imported on first use."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGES = ("provisioning.providers.custom_cloud", "provisioning.sdk", "provisioning.sdk.extensions")
"""The packages whose public names are their `TYPE_CHECKING` block."""


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: str, eager: str = "") -> str:
    """A package `lazypkg` in `tmp_path` with modules `parts` (`A`, `b`) and `eager` (`E`), `eager` as the
    imports at the top of its `__init__` and `block` as its `TYPE_CHECKING` block."""
    monkeypatch.syspath_prepend(tmp_path)
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "parts.py").write_text("A = 'a'\nb = 'b'\n")
    (root / "eager.py").write_text("E = 'e'\n")
    (root / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from provisioning.sdk._lazy import exports_on_first_use\n"
        f"{eager}\n"
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


def test_names_imported_at_the_top_are_exported_with_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _package(tmp_path, monkeypatch, "    from .parts import A as A", eager="from .eager import E as E")
    package = importlib.import_module(name)
    assert package.__all__ == ["A", "E"]
    assert f"{name}.eager" in sys.modules and f"{name}.parts" not in sys.modules
    assert package.E == "e" and package.A == "a"


def test_a_name_imported_at_the_top_without_as_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ImportError, match="write `E as E`"):
        importlib.import_module(_package(tmp_path, monkeypatch, "    pass", eager="from .eager import E"))


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
