"""Which Custom Cloud fields hold the id of another resource, where the field's name does not say it.

A `<kind>_id` / `<kind>_ids` field naming a declared resource (`network_id`, `volume_id`, `server_id`) is
found by its name (`provisioning.sdk.field_table.find_references`); this table names the rest. The field
table in docs/custom-cloud-provider.md and the change matrix's alternates are derived from both.
Imports no Pulumi."""

from __future__ import annotations

from collections.abc import Mapping

from . import specs

__all__ = ["PACKAGE", "REFERENCES"]

PACKAGE = "custom-cloud"
"""The package of the Custom Cloud type tokens."""

REFERENCES: Mapping[tuple[str, str], str] = {
    (specs.SERVER.type_token, "vpc"): specs.NETWORK.type_token,
    (specs.SERVER.type_token, "subnet"): specs.SUBNET.type_token,
    (specs.LOAD_BALANCER.type_token, "target_instance_ids"): specs.SERVER.type_token,
}
"""`(type token, field) → type token` of the resource whose id the field holds."""
