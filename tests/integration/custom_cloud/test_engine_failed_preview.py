"""A failed preview shows the failures the engine reported and nothing else: the program ends as soon as
the engine cancels it, with no `KeyboardInterrupt` traceback from the language host."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cloud import CloudHandle, running_cloud
from tests.support.pulumi_cli import PulumiProject

from .conftest import HERE, project_for

pytestmark = pytest.mark.engine

_NOISE = ("Traceback", "KeyboardInterrupt", "executor.shutdown", "non-zero exit code")


@pytest.fixture
def record_cloud(tmp_path: Path) -> Iterator[CloudHandle]:
    with running_cloud(tmp_path) as handle:
        yield handle


def _failed(project: PulumiProject, *extra: str) -> str:
    result = project.preview(*extra, check=False)
    assert result.returncode != 0, f"the preview should fail:\n{result.stdout}"
    return result.stdout + result.stderr


def _assert_only_failures(output: str, failure: str) -> None:
    assert failure in output, f"the preview does not show {failure!r}:\n{output}"
    noise = [word for word in _NOISE if word in output]
    assert not noise, f"the failed preview prints {noise}:\n{output}"


def test_a_check_failure_shows_only_itself(tmp_path: Path, record_cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", record_cloud, **{"t:zone": "mars-1a"})
    _assert_only_failures(_failed(project), "unknown zone 'mars-1a'")


def test_a_stopped_cloud_shows_only_the_unreachable_url(tmp_path: Path, record_cloud: CloudHandle) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", record_cloud)
    project.config_set("custom-cloud:apiUrl", "http://127.0.0.1:9/v1")
    _assert_only_failures(_failed(project), "nothing listens at http://127.0.0.1:9/v1")


def test_a_policy_violation_shows_only_the_violation(
    tmp_path: Path, record_cloud: CloudHandle, repo_root: Path
) -> None:
    project = project_for(HERE / "single_server", tmp_path / "proj", record_cloud)
    config = tmp_path / "policy-config.json"
    config.write_text('{"stack-budget": {"max_hourly_cost": 0.01}}', encoding="utf-8")
    output = _failed(
        project, "--policy-pack", str(repo_root / "policies"), "--policy-pack-config", str(config)
    )
    _assert_only_failures(output, "over the budget of 0.0100")
