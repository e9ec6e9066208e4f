"""Lookup results are the API's `*Public` models of their collection: the same fields, types and docs, but
frozen, `labels` without the ownership label, and the IPs gathered in `addresses`."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from provisioning.providers.custom_cloud.api.models import InstancePublic, LoadBalancerPublic
from provisioning.providers.custom_cloud.lookups import LOOKUPS, Addresses, LoadBalancerResult, ServerResult
from provisioning.sdk.ownership import OWNER_LABEL

SERVER: dict[str, Any] = {
    "id": "i-1", "project_id": "p",
    "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
    "region": "us-west-1", "name": "web", "machine_type": "small", "zone": "us-west-1a",
    "status": "running", "private_ip": "10.0.0.5", "public_ip": None, "hourly_cost": 0.05,
    "labels": {"tier": "web", OWNER_LABEL: "x"},
}  # fmt: skip


@pytest.mark.parametrize("key", sorted(LOOKUPS))
def test_every_field_of_the_public_model_with_its_type_and_doc(key: str) -> None:
    lookup = LOOKUPS[key]
    public, result = lookup.collection.public, lookup.result
    assert issubclass(result, public)
    assert list(result.model_fields) == list(public.model_fields)
    for name, field in public.model_fields.items():
        if name != "labels":
            assert result.model_fields[name].annotation == field.annotation, name
            assert result.model_fields[name].description == field.description, name
    assert "ownership label" in str(result.model_fields["labels"].description)


def test_a_result_is_frozen_without_the_ownership_label_and_with_addresses() -> None:
    found = ServerResult(**SERVER)
    assert found.labels == {"tier": "web"}
    assert found.addresses == Addresses(private_ip="10.0.0.5", public_ip=None)
    assert found.model_dump(mode="json")["addresses"] == {"private_ip": "10.0.0.5", "public_ip": None}
    assert InstancePublic(**SERVER).labels[OWNER_LABEL] == "x"  # the API's model keeps it
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        found.name = "db"  # type: ignore[misc]


def test_a_load_balancer_has_only_a_public_address() -> None:
    body = {k: SERVER[k] for k in ("id", "project_id", "created_at", "updated_at", "region", "name")}
    body |= {"status": "active", "public_ip": "203.0.113.9", "listeners": [{"port": 80, "target_port": 8080}]}
    assert LoadBalancerResult(**body).addresses == Addresses(public_ip="203.0.113.9")
    assert LoadBalancerPublic(**body).public_ip == "203.0.113.9"
