"""Lookups (`get_server`, `get_servers`, … and their `_output` forms) against the in-process emulator."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from provisioning.providers.custom_cloud import lookups
from provisioning.providers.custom_cloud.config import CustomCloudConfig
from provisioning.providers.custom_cloud.lookups import (
    AmbiguousLookup,
    NothingFound,
    get_network,
    get_server,
    get_servers,
    get_subnets,
    get_volume,
    get_volumes,
)
from provisioning.sdk.errors import ConfigError, Unauthenticated
from provisioning.sdk.ownership import OWNER_LABEL

from .conftest import API_KEY, API_URL, Cloud


def _config(key: str = API_KEY) -> CustomCloudConfig:
    return CustomCloudConfig.model_validate({"api_key": key, "api_url": API_URL})


def _made(cloud: Cloud, path: str, **body: Any) -> dict[str, Any]:
    response = cloud.api.post(f"/v1/{path}", json=body)
    assert response.status_code in (200, 201, 202), response.text
    return dict(response.json())


def _server(cloud: Cloud, name: str, zone: str = "us-west-1a", **labels: str) -> dict[str, Any]:
    return _made(cloud, "instances", name=name, machine_type="small", zone=zone, labels=labels)


@pytest.fixture
def on(cloud: Cloud) -> dict[str, Any]:
    """The keyword arguments that point a lookup at the in-process emulator."""
    return {"config": _config(), "transport": cloud.transport}


def test_get_server_by_name_and_by_id_typed_without_the_ownership_label(
    cloud: Cloud, on: dict[str, Any]
) -> None:
    made = _server(cloud, "web", **{"tier": "web", OWNER_LABEL: "0123456789abcdef"})
    found = get_server(name="web", zone="us-west-1a", **on)
    assert found.id == made["id"] and found.name == "web" and found.zone == "us-west-1a"
    assert found.machine_type == "small" and found.status == "running"
    assert found.labels == {"tier": "web"}
    assert found.addresses.private_ip == made["private_ip"] and found.addresses.public_ip == made["public_ip"]
    assert found.created_at.year >= 2024
    assert get_server(id=made["id"], **on) == found


def test_a_missing_name_or_id_names_what_was_looked_for(cloud: Cloud, on: dict[str, Any]) -> None:
    _server(cloud, "web", zone="us-west-1b")
    with pytest.raises(NothingFound, match=r"^no server named 'x' in zone us-west-1a$"):
        get_server(name="x", zone="us-west-1a", **on)
    with pytest.raises(NothingFound, match="no server named 'web' in zone us-west-1a"):
        get_server(name="web", zone="us-west-1a", **on)  # exists, but in another zone
    with pytest.raises(NothingFound, match="no volume with id 'vol-missing'"):
        get_volume(id="vol-missing", **on)


def test_the_same_name_in_two_zones_is_ambiguous_without_a_zone(cloud: Cloud, on: dict[str, Any]) -> None:
    a, b = _server(cloud, "web", zone="us-west-1a"), _server(cloud, "web", zone="us-west-1b")
    with pytest.raises(AmbiguousLookup) as caught:
        get_server(name="web", **on)
    text = str(caught.value)
    assert "2 servers named 'web'" in text and "zone=..." in text
    assert f"{a['id']} (zone us-west-1a" in text and f"{b['id']} (zone us-west-1b" in text
    assert get_server(name="web", zone="us-west-1b", **on).id == b["id"]


def test_arguments_are_checked_before_any_request(on: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="pass id or name"):
        get_server(**on)
    with pytest.raises(ConfigError, match="pass id or name"):
        get_server(id="i-1", name="web", **on)
    with pytest.raises(ConfigError, match="networks have no zone"):
        get_network(name="n", zone="us-west-1a", **on)


def test_get_servers_filters_by_labels_status_and_zone(cloud: Cloud, on: dict[str, Any]) -> None:
    web_a = _server(cloud, "web-a", zone="us-west-1a", tier="web")
    web_b = _server(cloud, "web-b", zone="us-west-1b", tier="web")
    _server(cloud, "db", zone="us-west-1a", tier="db")
    cloud.api.post(f"/v1/instances/{web_b['id']}/stop", json={})

    assert [s.id for s in get_servers(labels={"tier": "web"}, **on)] == [web_a["id"], web_b["id"]]
    assert [s.id for s in get_servers(labels={"tier": "web"}, zone="us-west-1a", **on)] == [web_a["id"]]
    assert [s.id for s in get_servers(labels={"tier": "web"}, status="stopped", **on)] == [web_b["id"]]
    assert get_servers(labels={"tier": "cache"}, **on) == []
    assert len(get_servers(**on)) == 3


def test_deleted_resources_are_not_found(cloud: Cloud, on: dict[str, Any]) -> None:
    gone = _server(cloud, "old")
    cloud.api.delete(f"/v1/instances/{gone['id']}")
    assert get_servers(**on) == []
    with pytest.raises(NothingFound):
        get_server(name="old", **on)


def test_every_page_is_read(cloud: Cloud, on: dict[str, Any]) -> None:
    """The API answers at most 500 items a page: 501 volumes take two pages."""
    for i in range(501):
        _made(cloud, "volumes", name=f"v{i}", zone="us-west-1a", size=1, labels={"batch": str(i % 2)})
    everything = get_volumes(**on)
    assert len(everything) == 501 and len({v.id for v in everything}) == 501
    assert len(get_volumes(labels={"batch": "1"}, **on)) == 250
    assert get_volume(name="v500", zone="us-west-1a", **on).size == 1  # on the second page


def test_subnets_and_networks(cloud: Cloud, on: dict[str, Any]) -> None:
    net = _made(cloud, "networks", name="main", cidr="10.0.0.0/16")
    sub = _made(cloud, "subnets", name="a", network_id=net["id"], cidr="10.0.1.0/24", zone="us-west-1a")
    assert get_network(name="main", **on).cidr == "10.0.0.0/16"
    [found] = get_subnets(zone="us-west-1a", **on)
    assert found.id == sub["id"] and found.network_id == net["id"]


def test_config_from_the_environment_and_the_key_never_in_errors(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOM_CLOUD_API_URL", API_URL)
    monkeypatch.setenv("CUSTOM_CLOUD_API_KEY", API_KEY)
    _server(cloud, "web")
    assert get_server(name="web", transport=cloud.transport).name == "web"
    with pytest.raises(NothingFound) as missing:
        get_server(name="nope", transport=cloud.transport)
    assert API_KEY not in str(missing.value) and API_KEY not in repr(missing.value.args)

    wrong = "cc-wrong-key-that-must-not-leak-9d2"
    monkeypatch.setenv("CUSTOM_CLOUD_API_KEY", wrong)
    with pytest.raises(Unauthenticated) as refused:
        get_servers(transport=cloud.transport)
    assert wrong not in str(refused.value)

    monkeypatch.delenv("CUSTOM_CLOUD_API_KEY")
    with pytest.raises(ConfigError, match="CUSTOM_CLOUD_API_KEY environment variable is required"):
        get_servers(transport=cloud.transport)


def test_every_collection_has_the_four_forms() -> None:
    for key in lookups.LOOKUPS:
        for form in (f"get_{key}", f"get_{key}s", f"get_{key}_output", f"get_{key}s_output"):
            assert callable(getattr(lookups, form)) and form in lookups.__all__


@pulumi.runtime.test
def test_output_forms_take_inputs(cloud: Cloud, on: dict[str, Any]) -> Any:
    made = _server(cloud, "web", tier="web")
    one = lookups.get_server_output(name=pulumi.Output.from_input("web"), zone="us-west-1a", **on)
    many = lookups.get_servers_output(labels={"tier": pulumi.Output.from_input("web")}, **on)

    def check(args: list[Any]) -> None:
        server, servers = args
        assert server.id == made["id"] and [s.id for s in servers] == [made["id"]]

    return pulumi.Output.all(one, many).apply(check)
