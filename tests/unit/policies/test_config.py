"""The pack's configuration is refused, naming the key, when a rule, level or setting is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import policy as pulumi_policy_module

from provisioning.policies import all_policies
from provisioning.policies.config import PackConfigError, check_pack_config

SETTINGS = {p.name: getattr(p, "settings", None) for p in all_policies()}


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"no-such-rule": {"enforcementLevel": "advisory"}}, "unknown rule 'no-such-rule'"),
        ({"stack-budget": {"enforcementLevel": "sometimes"}}, "stack-budget.enforcementLevel: 'sometimes'"),
        ({"stack-budget": {"max_hourly_cost": -1}}, "stack-budget.max_hourly_cost: Input should be greater"),
        ({"required-labels": {"labels": "owner"}}, "required-labels.labels"),
        ({"custom-cloud-server-schema": {"max": 1}}, "custom-cloud-server-schema takes no settings"),
        ({"default-labels": {"labelz": {}}}, "default-labels.labelz"),
    ],
)
def test_bad_configuration_names_the_key(config: dict[str, Any], words: str) -> None:
    with pytest.raises(PackConfigError, match=None) as info:
        check_pack_config(config, SETTINGS)
    assert words in str(info.value)


def test_good_configuration_passes() -> None:
    check_pack_config(
        {
            "all": {"enforcementLevel": "advisory"},
            "stack-budget": {"enforcementLevel": "mandatory", "max_hourly_cost": 2.5},
            "default-labels": {"enforcementLevel": "remediate", "labels": {"owner": "platform"}},
        },
        SETTINGS,
    )


def test_the_analyzer_method_the_guard_wraps_still_exists() -> None:
    servicer = pulumi_policy_module._PolicyAnalyzerServicer
    assert callable(servicer.Configure), "update provisioning/policies/_configure_guard.py"
