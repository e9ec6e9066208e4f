"""extension.toml: every bad-metadata case gives an error naming its table, its key and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from provisioning.sdk.extensions import ManifestError, load_manifest, parse_manifest

GOOD = {"extension": {"name": "acme-disk", "version": "1.0.0"}}


def _problems(data: dict[str, object]) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(data)
    return [str(problem) for problem in caught.value.problems]


def test_a_minimal_manifest_gets_the_defaults() -> None:
    manifest = parse_manifest(GOOD)
    assert (manifest.extension.name, manifest.extension.version) == ("acme-disk", "1.0.0")
    assert manifest.provides.by_kind() == {"providers": [], "taskservs": [], "clusters": [], "templates": []}
    assert manifest.build.include == ["**"] and manifest.dependencies.extensions == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"extension": {"version": "1.0.0"}}, "[extension] name: is required"),
        ({}, "[extension]: the table is required"),
        (
            {"extension": {"name": "acme-disk", "version": "1.x"}},
            "[extension] version: '1.x' is not a version: use a PEP 440 version such as 1.0.0",
        ),
        (
            {"extension": {"name": "Acme Disk", "version": "1.0"}},
            "[extension] name: 'Acme Disk' must be 1 to 64 lowercase letters, digits and single dashes",
        ),
        ({**GOOD, "widgets": {}}, "[widgets]: unknown table; known: extension, compatibility, provides"),
        (
            {"extension": {**GOOD["extension"], "nmae": "x"}},
            "[extension] nmae: unknown key; known: name, version, description",
        ),
        (
            {**GOOD, "provides": {"widgets": ["w"]}},
            "[provides] widgets: unknown key; known: providers, taskservs",
        ),
        (
            {**GOOD, "compatibility": {"provisioning_version": "newest"}},
            "[compatibility] provisioning_version: 'newest' is not a version specifier",
        ),
        (
            {**GOOD, "dependencies": {"extensions": ["acme dns >= 1"]}},
            "[dependencies] extensions.0: 'acme dns >= 1' is not a requirement",
        ),
        (
            {**GOOD, "configuration": {"required_env": ["NOT-A-VAR"]}},
            "[configuration] required_env.0: 'NOT-A-VAR'",
        ),
        ({**GOOD, "provides": {"providers": "acme"}}, "[provides] providers: must be a list, not 'acme'"),
        ({**GOOD, "build": "everything"}, "[build]: must be a table, not 'everything'"),
    ],
)
def test_bad_metadata_names_table_key_and_rule(data: dict[str, object], expected: str) -> None:
    problems = _problems(data)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems({"extension": {"name": "X", "version": "x"}, "extra": {}})
    assert [p.split(":")[0] for p in problems] == ["[extension] name", "[extension] version", "[extra]"]


def test_kcl_version_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "extension.toml").write_text(
        '[extension]\nname = "a"\nversion = "1"\n[compatibility]\nkcl_version = ">=0.11.2"\n', "utf-8"
    )
    assert load_manifest(tmp_path).compatibility.kcl_version == ">=0.11.2"


def test_a_missing_or_broken_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no extension.toml at"):
        load_manifest(tmp_path)
    (tmp_path / "extension.toml").write_text("[extension\n", "utf-8")
    with pytest.raises(ManifestError, match=r"\[extension\]: not TOML"):
        load_manifest(tmp_path)
