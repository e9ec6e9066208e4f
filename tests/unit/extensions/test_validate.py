"""`extension validate`: provides that resolve (or not), compatibility, required_env, exit codes; the
reference extensions pass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from provisioning.sdk.extensions import (
    EXIT_ENVIRONMENT,
    EXIT_INVALID,
    EXIT_OK,
    StackConfigUnavailable,
    load_manifest,
    validate_extension,
)

REPO = Path(__file__).resolve().parents[3]
PYPROJECT = """[project]
name = "acme-widgets"
version = "1.0.0"
[project.entry-points."provisioning.taskservs"]
acme-widgets = "acme_widgets_spec_for_tests"
"""


def _extension(tmp_path: Path, manifest_extra: str = "", provides: str = '["acme-widgets"]') -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, "utf-8")
    (tmp_path / "acme_widgets_spec_for_tests.py").write_text(
        "from pydantic import BaseModel\n"
        "from provisioning.sdk.registry import Declaration, register\n"
        "class WidgetConfig(BaseModel):\n    size: int = 1\n"
        'register(Declaration("acme:taskservs:Widget", WidgetConfig, kind="taskserv"))\n',
        "utf-8",
    )
    (tmp_path / "extension.toml").write_text(
        f'[extension]\nname = "acme-widgets"\nversion = "1.0.0"\n[provides]\ntaskservs = {provides}\n'
        + manifest_extra,
        "utf-8",
    )
    return tmp_path


def _statuses(path: Path) -> dict[str, tuple[str, str]]:
    return {f.check: (f.status, f.detail) for f in validate_extension(path).findings}


def test_a_valid_extension_resolves_its_taskserv(tmp_path: Path) -> None:
    report = validate_extension(_extension(tmp_path))
    assert report.exit_code == EXIT_OK, report.findings
    status, detail = _statuses(tmp_path)["[provides] taskservs: acme-widgets"]
    assert status == "ok" and "acme:taskservs:Widget" in detail


def test_an_unknown_provides_entry_is_named(tmp_path: Path) -> None:
    _extension(tmp_path, provides='["acme-widgets", "acme-gadgets"]')
    report = validate_extension(tmp_path)
    status, detail = _statuses(tmp_path)["[provides] taskservs: acme-gadgets"]
    assert report.exit_code == EXIT_INVALID and status == "fail"
    assert (
        "not an entry point of group provisioning.taskservs" in detail
        and "it declares: acme-widgets" in detail
    )


def test_a_provides_entry_of_the_wrong_kind_fails(tmp_path: Path) -> None:
    _extension(tmp_path, provides="[]")
    (tmp_path / "extension.toml").write_text(
        '[extension]\nname = "acme-widgets"\nversion = "1.0.0"\n[provides]\nproviders = ["acme-widgets"]\n',
        "utf-8",
    )
    status, detail = _statuses(tmp_path)["[provides] providers: acme-widgets"]
    assert status == "fail" and "not an entry point of group provisioning.providers" in detail


def test_an_unsatisfied_compatibility_fails(tmp_path: Path) -> None:
    _extension(tmp_path, '[compatibility]\nprovisioning_version = ">=99"\nkcl_version = ">=0.11.2"\n')
    report = validate_extension(tmp_path)
    found = _statuses(tmp_path)
    assert report.exit_code == EXIT_INVALID
    assert found["[compatibility] provisioning_version"][0] == "fail"
    assert (
        "'>=99' is not satisfied by the installed provisioning"
        in found["[compatibility] provisioning_version"][1]
    )
    assert (
        found["[compatibility] kcl_version"][0] == "note"
        and "not applicable" in found["[compatibility] kcl_version"][1]
    )


def test_missing_required_env_and_system_packages_are_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACME_TOKEN", raising=False)
    extra = '[configuration]\nrequired_env = ["ACME_TOKEN"]\n'
    extra += '[dependencies]\nsystem_packages = ["no-such-pkg-x"]\n'
    report = validate_extension(_extension(tmp_path, extra))
    found = _statuses(tmp_path)
    assert report.exit_code == EXIT_ENVIRONMENT
    assert found["[configuration] required_env"] == ("missing", "ACME_TOKEN is not set")
    assert found["[dependencies] system_packages"][0] == "missing" and "no-such-pkg-x" in found[
        "[dependencies] system_packages"][1]  # fmt: skip
    monkeypatch.setenv("ACME_TOKEN", "set")
    assert _statuses(tmp_path)["[configuration] required_env"][0] == "ok"


def test_bad_metadata_is_a_failing_report_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "extension.toml").write_text('[extension]\nversion = "x"\n', "utf-8")
    report = validate_extension(tmp_path)
    assert report.exit_code == EXIT_INVALID
    assert ("[extension] name", "fail", "is required") in [
        (f.check, f.status, f.detail) for f in report.findings
    ]


@pytest.mark.parametrize(
    "folder",
    ["providers/custom_cloud", "components/taskservs/custom_database", "components/clusters/web_stack"],
)
def test_the_reference_extensions_are_valid(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOM_CLOUD_API_KEY", "set-for-validate")
    report = validate_extension(REPO / folder)
    assert report.exit_code in (EXIT_OK, EXIT_ENVIRONMENT), report.findings
    assert not [f for f in report.findings if f.status == "fail"], report.findings


def test_a_dependency_on_an_extension_inside_an_installed_distribution_is_met() -> None:
    """web-stack needs custom-cloud and custom-database, which ship inside provisioning itself."""
    report = validate_extension(REPO / "components/clusters/web_stack")
    found = {f.check: f for f in report.findings}
    assert found["[dependencies] extensions: custom-cloud>=1.0"].status == "ok"
    assert found["[dependencies] extensions: custom-database>=1.0"].detail == "custom-database 1.0.0"


_KEYED = (
    '[configuration]\nrequired_env = ["ACME_WIDGETS_TOKEN", "ACME_WIDGETS_OTHER_VAR"]\n'
    'stack_config = ["acme-widgets:token", "acme-widgets:otherVar", "acme-widgets:region"]\n'
)


def test_the_declared_stack_config_key_stands_for_its_variable(tmp_path: Path) -> None:
    manifest = load_manifest(_extension(tmp_path, _KEYED))
    assert manifest.config_key_for("ACME_WIDGETS_TOKEN") == "acme-widgets:token"
    assert manifest.config_key_for("ACME_WIDGETS_OTHER_VAR") == "acme-widgets:otherVar"
    assert manifest.config_key_for("ACME_WIDGETS_SECRET") is None  # no such key declared
    assert manifest.config_key_for("OTHER_TOKEN") is None


def test_either_the_variable_or_its_stack_config_key_satisfies_required_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ACME_WIDGETS_TOKEN", "ACME_WIDGETS_OTHER_VAR"):
        monkeypatch.delenv(name, raising=False)
    path = _extension(tmp_path, _KEYED)
    monkeypatch.setenv("ACME_WIDGETS_OTHER_VAR", "set")

    def required(**options: Any) -> tuple[int, str]:
        report = validate_extension(path, **options)
        [finding] = [f for f in report.findings if f.check == "[configuration] required_env"]
        return report.exit_code, finding.detail

    assert required(stack_config=lambda: {"acme-widgets:token"}) == (
        EXIT_OK,
        "ACME_WIDGETS_TOKEN is not set, but stack config acme-widgets:token is (either one will do); "
        "ACME_WIDGETS_OTHER_VAR is set",
    )
    code, detail = required(stack_config=lambda: {"acme-widgets:region"})
    assert code == EXIT_ENVIRONMENT
    assert detail.startswith("ACME_WIDGETS_TOKEN is not set, nor is stack config acme-widgets:token")

    def no_stack() -> set[str]:
        raise StackConfigUnavailable("no Pulumi project in /nowhere")

    code, detail = required(stack_config=no_stack)
    assert code == EXIT_ENVIRONMENT and "acme-widgets:token (no Pulumi project in /nowhere)" in detail
