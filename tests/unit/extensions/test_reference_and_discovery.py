"""The reference extensions build their archives reproducibly; installed extensions and templates are found
through entry points; the package's export list stays true."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from provisioning.sdk.extensions import (
    ExtensionError,
    build_extension,
    extension_test_paths,
    installed_extensions,
    template_path,
)
from provisioning.sdk.extensions.build import sha256_of
from provisioning.sdk.extensions.discovery import UnknownTemplate

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("providers/custom_cloud", "custom-cloud"),
        ("components/taskservs/custom_database", "custom-database"),
        ("components/clusters/web_stack", "web-stack"),
    ],
)
def test_the_reference_extensions_build_the_same_archive_twice(
    tmp_path: Path, folder: str, name: str
) -> None:
    first = build_extension(REPO / folder, outdir=tmp_path / "one")
    second = build_extension(REPO / folder, outdir=tmp_path / "two")
    assert first.distributions == () and first.archive.name == f"{name}-1.0.0.tar.gz"
    assert sha256_of(first.archive) == sha256_of(second.archive)
    with tarfile.open(first.archive) as tar:
        names = tar.getnames()
    assert f"{name}-1.0.0/extension.toml" in names and not [n for n in names if "__pycache__" in n]


def test_installed_extensions_and_templates_are_found() -> None:
    rows = {(e.name, e.kind): e for e in installed_extensions()}
    assert rows[("custom-cloud", "providers")].version == "1.0.0"
    assert "custom-cloud" in rows[("custom-cloud", "providers")].provides
    assert "custom-database" in rows[("custom-database", "taskservs")].provides
    assert rows[("web-stack", "clusters")].provides == ("web-stack",)
    assert {"server", "database", "web-stack"} <= set(rows[("provisioning", "templates")].provides)
    assert (template_path("server") / "Pulumi.yaml").is_file()
    with pytest.raises(
        UnknownTemplate,
        match=r"no installed extension provides template 'nope' \(provisioning.templates\); known: ",
    ):
        template_path("nope")


def test_in_tree_extensions_are_tested_by_the_project_tests_named_after_them() -> None:
    cwd, paths = extension_test_paths(REPO / "providers" / "custom_cloud")
    assert cwd == REPO
    assert {p.relative_to(REPO).as_posix() for p in paths} == {
        "tests/unit/custom_cloud",
        "tests/integration/custom_cloud",
    }
    _, paths = extension_test_paths(REPO / "components" / "taskservs" / "custom_database")
    assert "tests/unit/taskservs/test_custom_database_checks.py" in {
        p.relative_to(REPO).as_posix() for p in paths
    }


def test_an_extension_without_tests_is_refused(tmp_path: Path) -> None:
    (tmp_path / "extension.toml").write_text('[extension]\nname = "a"\nversion = "1"\n', "utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\n', "utf-8")
    with pytest.raises(ExtensionError, match="has no tests/ folder"):
        extension_test_paths(tmp_path)
