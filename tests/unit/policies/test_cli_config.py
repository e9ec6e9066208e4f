"""The pack finds the `--policy-pack-config` files the `pulumi` command gave it, and names a misspelt rule."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from provisioning.policies import all_policies
from provisioning.policies._cli_config import cli_pack_config, config_files_for
from provisioning.policies.config import PackConfigError, check_pack_config
from provisioning.policies.resource_rules import policy_name
from provisioning.sdk.registry import declaration_for_type


def test_each_config_goes_with_the_pack_at_its_position(tmp_path: Path) -> None:
    argv = ["pulumi", "preview", "--policy-pack", "other", "--policy-pack-config", "a.json",
            "--policy-pack=packs/ours", "--policy-pack-config=conf/b.json"]  # fmt: skip
    assert config_files_for(tmp_path / "packs" / "ours", argv, tmp_path) == [tmp_path / "conf" / "b.json"]
    assert config_files_for(tmp_path / "elsewhere", argv, tmp_path) == []


def _fake_proc(root: Path, argv: list[str], cwd: Path) -> Path:
    """A /proc holding only this process's parent, run as `argv` in `cwd`, whose parent is init."""
    entry = root / str(os.getppid())
    entry.mkdir(parents=True)
    (entry / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in argv) + b"\0")
    (entry / "cwd").symlink_to(cwd)
    (entry / "stat").write_text(f"{os.getppid()} (pulumi) S 1 0 0")
    return root


def test_the_pulumi_command_lines_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "c.json").write_text(json.dumps({"stack-budgt": {"max_hourly_cost": 0.5}, "all": "advisory"}))
    argv = ["/usr/bin/pulumi", "up", "--policy-pack", "pack", "--policy-pack-config", "c.json"]
    proc = _fake_proc(tmp_path / "proc", argv, tmp_path)
    assert cli_pack_config(tmp_path / "pack", proc=proc) == {
        "stack-budgt": {"max_hourly_cost": 0.5},
        "all": {"enforcementLevel": "advisory"},
    }
    assert cli_pack_config(tmp_path / "pack", proc=tmp_path / "no-proc") == {}


def test_an_unreadable_config_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text("{not json")
    argv = ["pulumi", "preview", "--policy-pack", ".", "--policy-pack-config", "c.json"]
    with pytest.raises(PackConfigError, match="c.json: not a readable JSON"):
        cli_pack_config(tmp_path, proc=_fake_proc(tmp_path / "proc", argv, tmp_path))


def test_a_misspelt_rule_is_named_with_the_likely_one() -> None:
    settings = {p.name: getattr(p, "settings", None) for p in all_policies()}
    with pytest.raises(PackConfigError) as info:
        check_pack_config({"stack-budgt": {"max_hourly_cost": 0.5}}, settings)
    assert str(info.value).startswith("unknown rule 'stack-budgt' (did you mean 'stack-budget'?)")


@pytest.mark.parametrize(
    ("token", "name"),
    [
        ("custom-cloud:LoadBalancer", "custom-cloud-load-balancer-schema"),
        ("custom-cloud:VolumeAttachment", "custom-cloud-volume-attachment-schema"),
        ("provisioning:taskservs:HAProxy", "provisioning-taskservs-haproxy-schema"),
        ("provisioning:taskservs:MariaDB", "provisioning-taskservs-mariadb-schema"),
        ("provisioning:taskservs:PostgreSQL", "provisioning-taskservs-postgresql-schema"),
        ("provisioning:taskservs:CustomDatabase", "provisioning-taskservs-custom-database-schema"),
    ],
)
def test_rule_names_keep_a_run_of_capitals_as_one_word(token: str, name: str) -> None:
    assert policy_name(declaration_for_type(token), "schema") == name


def test_the_analyzer_methods_the_guard_wraps_still_exist() -> None:
    from pulumi_policy import policy as pulumi_policy_module

    servicer = pulumi_policy_module._PolicyAnalyzerServicer
    assert callable(servicer.GetAnalyzerInfo), "update provisioning/policies/_configure_guard.py"
