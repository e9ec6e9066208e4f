"""`provisioning cluster scale` on the real engine: a cluster's tier grows and shrinks by exactly the servers
asked for, through the Automation API (config set, preview, up); bad tiers and counts change nothing."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning.cli import main
from provisioning.sdk.registry import declaration
from tests.support.cloud import CloudHandle
from tests.support.pulumi_cli import PulumiProject

from .conftest import HERE, instances, project_for

pytestmark = pytest.mark.engine


@pytest.fixture
def mini(tmp_path: Path, cloud: CloudHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[PulumiProject]:
    """The mini cluster deployed with web 1, app 2; the scaling code runs in this process, so the
    environment points it at the project's backend and its declaration is registered here."""
    project = project_for(HERE / "mini_cluster", tmp_path / "mini", cloud)
    project.run("config", "set", "--path", "cluster.app_name", "shop")
    project.run("config", "set", "--path", "cluster.app_tier.replicas", "2")
    project.up()
    for key, value in project._environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.syspath_prepend(str(HERE / "mini_cluster"))
    importlib.import_module("mini")
    assert declaration("test:clusters:Mini").kind == "cluster"
    yield project
    project.destroy()


def _names(cloud: CloudHandle) -> list[str]:
    return sorted(i["name"] for i in instances(cloud))


def _scale(project: PulumiProject, *args: str) -> int:
    return main(["cluster", "scale", project.stack, *args, "--cwd", str(project.workdir)])


def test_scale_adds_and_removes_exactly_the_servers_asked_for(
    mini: PulumiProject, cloud: CloudHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _names(cloud) == ["shop-app-0", "shop-app-1", "shop-web-0"]

    assert _scale(mini, "app", "3") == 0
    printed = capsys.readouterr().out
    assert "app tier 2 -> 3 replicas" in printed
    assert "+ custom-cloud:Server shop-app-2 (create)" in printed
    assert "~ test:clusters:Mini mini (update)" in printed  # its inputs are its config
    assert "2 resource(s) to change, applied" in printed
    assert _names(cloud) == ["shop-app-0", "shop-app-1", "shop-app-2", "shop-web-0"]
    config = json.loads(mini.run("config", "get", "cluster", "--stack", mini.stack).stdout)
    assert config["app_tier"]["replicas"] == 3

    assert _scale(mini, "app", "2") == 0
    printed = capsys.readouterr().out
    assert "- custom-cloud:Server shop-app-2 (delete)" in printed
    assert _names(cloud) == ["shop-app-0", "shop-app-1", "shop-web-0"]

    assert _scale(mini, "web", "2", "--preview-only") == 0
    printed = capsys.readouterr().out
    assert "+ custom-cloud:Server shop-web-1 (create)" in printed and "previewed only" in printed
    assert _names(cloud) == ["shop-app-0", "shop-app-1", "shop-web-0"]
    config = json.loads(mini.run("config", "get", "cluster", "--stack", mini.stack).stdout)
    assert "web_tier" not in config, "a preview-only scale puts the config back"


def test_an_unknown_tier_or_a_bad_count_changes_nothing(
    mini: PulumiProject, cloud: CloudHandle, capsys: pytest.CaptureFixture[str]
) -> None:
    before = mini.run("config", "--json", "--stack", mini.stack).stdout

    assert _scale(mini, "database", "3") == 2
    assert "Invalid tier: database. Valid options: web, app" in capsys.readouterr().err

    assert _scale(mini, "app", "0") == 2
    err = capsys.readouterr().err
    assert "app_tier.replicas: replicas must be at least 1 (got 0)" in err

    assert mini.run("config", "--json", "--stack", mini.stack).stdout == before
    assert _names(cloud) == ["shop-app-0", "shop-app-1", "shop-web-0"]


def test_a_stack_without_a_cluster_is_named(
    tmp_path: Path, cloud: CloudHandle, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_for(HERE / "fleet", tmp_path / "fleet", cloud, **{"t:count": "0"})
    project.up()
    for key, value in project._environment().items():
        monkeypatch.setenv(key, value)
    assert main(["cluster", "scale", project.stack, "app", "2", "--cwd", str(project.workdir)]) == 2
    assert "holds 0 clusters (clusters: none)" in capsys.readouterr().err
