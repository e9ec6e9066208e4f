"""Capabilities and provider info: one record, true, read from extension.toml, each claim exercised."""

from __future__ import annotations

import tomllib
from pathlib import Path

from provisioning.providers.custom_cloud.capabilities import (
    CAPABILITIES,
    EXTENSION_TOML,
    PROVIDER_NAME,
    PROVIDER_VERSION,
    get_provider_info,
    provider_capabilities,
)
from provisioning.providers.custom_cloud.config import CONFIG_KEYS

TESTS = Path(__file__).resolve().parents[2]

EVIDENCE: dict[str, dict[str, str]] = {
    "integration/custom_cloud/test_engine_lifecycle.py": {
        "servers": "test_example_server_lifecycle",
        "import": "t:importId",
        "refresh": "project.refresh()",
    },
    "unit/custom_cloud/test_api_resource_providers.py": {
        "networks": "NetworkProvider",
        "subnets": "SubnetProvider",
        "load_balancers": "LoadBalancerProvider",
        "volumes": "VolumeProvider",
    },
    "unit/custom_cloud/test_lookups.py": {"lookups": "get_servers("},
    "integration/custom_cloud/test_engine_lookups.py": {"read_only_get": "Server.get"},
    "unit/custom_cloud/test_server_provider.py": {"in_place_updates": "provider.update("},
    "integration/custom_cloud/test_engine_cost.py": {"cost_estimates": "estimated_hourly_cost"},
    "integration/custom_cloud/test_engine_interrupted.py": {"idempotent_creates": "idempotency"},
}
"""Test file under tests/ → each claimed capability it exercises → a string that shows it does."""


def test_every_claim_is_exercised_by_a_test_that_names_it() -> None:
    claimed = {name for name, has in CAPABILITIES.items() if has}
    evidenced = [name for markers in EVIDENCE.values() for name in markers]
    assert sorted(evidenced) == sorted(claimed), "a claim without evidence, or evidence for no claim"
    for path, markers in EVIDENCE.items():
        source = TESTS / path
        for name, marker in markers.items():
            assert source.is_file(), f"{name}: {path} does not exist"
            assert marker in source.read_text(), f"{name}: {path} does not contain {marker!r}"


def test_the_two_views_agree() -> None:
    caps, info = provider_capabilities(), get_provider_info()
    assert info["capabilities"] == CAPABILITIES
    assert {
        k.removeprefix("supports_"): v for k, v in caps.items() if k.startswith("supports_")
    } == CAPABILITIES
    assert caps["name"] == info["name"] and caps["version"] == info["version"]
    assert caps["regions"] == info["regions"] and caps["machine_types"] == info["machine_types"]


def test_no_false_claims() -> None:
    info = get_provider_info()
    assert info["capabilities"]["managed_databases"] is False
    assert provider_capabilities()["supports_managed_databases"] is False
    assert provider_capabilities()["supports_auto_scaling"] is False
    assert info["auth_methods"] == ["api_key"]
    assert "custom-database" in info["components"]["taskservs"]


def test_version_and_configuration_come_from_extension_toml() -> None:
    manifest = tomllib.loads(EXTENSION_TOML.read_text())
    assert (PROVIDER_NAME, PROVIDER_VERSION) == (
        manifest["extension"]["name"],
        manifest["extension"]["version"],
    )
    configuration = get_provider_info()["configuration"]
    assert configuration["stack_config"] == manifest["configuration"]["stack_config"]
    # the manifest lists exactly what load_config reads
    assert set(configuration["stack_config"]) == {key for key, _ in CONFIG_KEYS.values()}
    env = {var for _, var in CONFIG_KEYS.values() if var is not None}
    assert set(configuration["required_env"]) | set(configuration["optional_env"]) == env
