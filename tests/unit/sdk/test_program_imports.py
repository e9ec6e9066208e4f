"""What a Pulumi program pays at start for `from provisioning.providers.custom_cloud import Server`: the
resources, their declarations and the SDK's base, not the HTTP client (httpx, the API client: the provider
host builds those where a call needs them) nor the extension tooling (jinja2, build, publish)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

NEVER_IN_A_PROGRAM = (
    "httpx",
    "jinja2",
    "provisioning.providers.custom_cloud.client",
    "provisioning.sdk.api_client",
    "provisioning.sdk.extensions.scaffold",
    "provisioning.sdk.extensions.publish",
)


def _loaded_after(statement: str) -> set[str]:
    probe = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize(
    "statement",
    [
        "from provisioning.providers.custom_cloud import Server, Network, Subnet, LoadBalancer, Volume",
        "from provisioning.providers.custom_cloud import VolumeAttachment",
    ],
)
def test_a_program_importing_the_resources_loads_no_http_client_nor_extension_tooling(statement: str) -> None:
    loaded = _loaded_after(statement)
    assert [name for name in NEVER_IN_A_PROGRAM if name in loaded] == []
    assert "provisioning.providers.custom_cloud.server" in loaded  # the probe did import the resources


def test_the_change_plans_provider_loads_no_template_engine() -> None:
    """The provider host unpickles a task service's `ChangePlan` provider: that needs the change planning,
    not Jinja2 (the template library loads it when first used)."""
    loaded = _loaded_after("import provisioning.sdk.taskservice.plan")
    assert "provisioning.sdk.taskservice.plan" in loaded
    assert "jinja2" not in loaded and "provisioning.sdk.taskservice.templates" not in loaded
