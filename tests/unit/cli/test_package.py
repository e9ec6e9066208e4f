"""`provisioning package setup`: which venvs it accepts, the runtime lines it prints and the Pulumi.yaml it
writes (making a venv is exercised by the engine tests, tests/integration/test_component_package.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from provisioning.cli import main
from provisioning.cli._common import CliError
from provisioning.cli.package import point_project_at, runtime_lines, venv_of


def test_an_editable_install_is_refused_naming_the_way_out() -> None:
    with pytest.raises(CliError, match=r"installed editable .* provisioning package setup --venv <folder>"):
        venv_of(Path(sys.prefix))


def test_a_folder_that_is_no_venv_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    with pytest.raises(CliError, match="is not a venv"):
        venv_of(tmp_path)


def test_the_runtime_lines_name_the_venv() -> None:
    assert yaml.safe_load(runtime_lines(Path("/opt/venv"))) == {
        "runtime": {"name": "nodejs", "options": {"virtualenv": "/opt/venv"}}
    }


def test_the_project_keeps_its_runtime_and_options_and_gets_a_relative_venv(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: shop\nruntime:\n  name: nodejs\n  options:\n    packagemanager: npm\npackages:\n  x: /p\n"
    )
    point_project_at(tmp_path, tmp_path / "venv")
    settings = yaml.safe_load((tmp_path / "Pulumi.yaml").read_text())
    options = {"packagemanager": "npm", "virtualenv": "venv"}
    assert settings["runtime"] == {"name": "nodejs", "options": options}
    assert settings["name"] == "shop" and settings["packages"] == {"x": "/p"}


def test_a_venv_outside_the_project_is_named_absolutely(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: shop\nruntime: nodejs\n")
    point_project_at(project, tmp_path / "venv")
    settings = yaml.safe_load((project / "Pulumi.yaml").read_text())
    assert settings["runtime"] == {"name": "nodejs", "options": {"virtualenv": str(tmp_path / "venv")}}


def test_a_folder_without_pulumi_yaml_is_named(tmp_path: Path) -> None:
    with pytest.raises(CliError, match=r"Pulumi.yaml does not exist"):
        point_project_at(tmp_path, tmp_path / "venv")


def test_from_applies_only_to_a_venv_the_command_makes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["package", "setup", "--venv", sys.prefix, "--from", "x.whl"]) == 2
    assert "--from only applies to a venv this command makes" in capsys.readouterr().err


def test_an_existing_virtualenv_line_is_changed_in_place(tmp_path: Path) -> None:
    text = "name: shop\nruntime:\n  name: nodejs\n  options:\n    # the venv\n    virtualenv: venv\n"
    (tmp_path / "Pulumi.yaml").write_text(text)
    point_project_at(tmp_path, tmp_path / "elsewhere" / ".." / "other")
    assert (tmp_path / "Pulumi.yaml").read_text() == text.replace("virtualenv: venv", "virtualenv: other")
