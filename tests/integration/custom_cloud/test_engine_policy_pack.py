"""The policy pack on the real engine: clean on a compliant example, every violation listed, raw resources
that bypass the SDK caught, levels configurable, the budget, a remediation that reaches the state, audits of
deployed stacks, and bad pack configuration refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from provisioning.cli.policy import pack_folder
from tests.support.cloud import CloudHandle
from tests.support.pulumi_cli import PulumiProject

from .conftest import EXAMPLE, HERE, instances, project_for

pytestmark = pytest.mark.engine

PACK = str(pack_folder())


def _config(tmp_path: Path, config: dict[str, Any]) -> str:
    path = tmp_path / f"pack-config-{len(list(tmp_path.glob('pack-config-*')))}.json"
    path.write_text(json.dumps(config))
    return str(path)


def _preview(project: PulumiProject, tmp_path: Path, config: dict[str, Any] | None = None) -> tuple[int, str]:
    extra = ["--policy-pack", PACK]
    if config is not None:
        extra += ["--policy-pack-config", _config(tmp_path, config)]
    result = project.run("preview", "--stack", project.stack, *extra, check=False)
    return result.returncode, result.stdout + result.stderr


def test_compliant_example_previews_clean(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(EXAMPLE, tmp_path / "proj", cloud)
    code, text = _preview(project, tmp_path)
    assert code == 0 and "mandatory" not in text.lower(), text


def test_raw_resources_bypassing_the_sdk_are_caught_with_every_violation(
    tmp_path: Path, cloud: CloudHandle
) -> None:
    project = project_for(HERE / "raw_server", tmp_path / "proj", cloud)
    code, text = _preview(project, tmp_path)
    assert code != 0
    for words in (
        "custom-cloud-server-schema",
        "disk_size = 5: disk_size must be at least 10GB",
        "String should have at most 63 characters",
        "custom-cloud-server-catalog",
        "unknown machine_type 'huge'",
        "unknown zone 'mars-1a'",
    ):
        assert words in text, f"{words!r} missing:\n{text}"
    assert (
        project.run("up", "--yes", "--stack", project.stack, "--policy-pack", PACK, check=False).returncode
        != 0
    )
    assert project.resources() == [] or all(r["type"] == "pulumi:pulumi:Stack" for r in project.resources())


def test_levels_budget_and_remediation(tmp_path: Path, cloud: CloudHandle) -> None:
    project = project_for(EXAMPLE, tmp_path / "proj", cloud)

    # Mandatory budget: 0.22 USD/hour against 0.1 stops `up`; nothing is created.
    budget = {"stack-budget": {"max_hourly_cost": 0.1}}
    code, text = _preview(project, tmp_path, budget)
    assert code != 0 and "0.2200 USD/hour, over the budget of 0.1000" in text
    assert "largest: custom-cloud:Server 'example-2' 0.1500" in text
    up = project.run("up", "--yes", "--stack", project.stack, "--policy-pack", PACK,
                     "--policy-pack-config", _config(tmp_path, budget), check=False)  # fmt: skip
    assert up.returncode != 0 and instances(cloud) == []

    # The same rule made advisory warns and lets `up` proceed; default labels are added by remediation.
    relaxed = {
        "stack-budget": {"enforcementLevel": "advisory", "max_hourly_cost": 0.1},
        "default-labels": {"enforcementLevel": "remediate", "labels": {"cost_center": "cc-42"}},
    }
    up = project.run("up", "--yes", "--stack", project.stack, "--policy-pack", PACK,
                     "--policy-pack-config", _config(tmp_path, relaxed))  # fmt: skip
    assert "over the budget" in up.stdout and "advisory" in up.stdout.lower()
    servers = [r for r in project.resources() if r["type"].endswith("custom-cloud:Server")]
    assert servers and all(r["inputs"]["labels"].get("cost_center") == "cc-42" for r in servers)
    assert all(i["labels"].get("cost_center") == "cc-42" for i in instances(cloud))

    # Audit what is deployed against a rule tightened afterwards.
    strict = {"required-labels": {"enforcementLevel": "mandatory", "labels": ["owner"]}}
    audit = project.run("policy", "analyze", "--stack", project.stack, "--policy-pack", PACK,
                        "--policy-pack-config", _config(tmp_path, strict), check=False)  # fmt: skip
    text = audit.stdout + audit.stderr
    assert audit.returncode != 0 and "server 'example-1': labels owner are required" in text, text
    project.destroy()


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"stack-budget": {"enforcementLevel": "sometimes"}}, '"sometimes" is not a valid enforcement level'),
        (
            {"stack-budget": {"max_hourly_cost": -1}},
            "stack-budget: max_hourly_cost: Must be greater than or equal to 0",
        ),
        ({"no-such-rule": {"enforcementLevel": "advisory"}}, "unknown rule 'no-such-rule'"),
        (  # no enforcementLevel: the CLI alone would say `invalid enforcement level ""`
            {"stack-budgt": {"max_hourly_cost": 0.5}},
            "unknown rule 'stack-budgt' (did you mean 'stack-budget'?)",
        ),
        ({"required-label": "mandatory"}, "unknown rule 'required-label' (did you mean 'required-labels'?)"),
    ],
)
def test_bad_pack_configuration_is_refused_at_preview(
    tmp_path: Path, cloud: CloudHandle, config: dict[str, Any], words: str
) -> None:
    project = project_for(EXAMPLE, tmp_path / "proj", cloud)
    code, text = _preview(project, tmp_path, config)
    assert code != 0 and words in text, text
    assert instances(cloud) == []
