"""`one-attachment-per-volume`, and the declaration's own rules reaching the pack for VolumeAttachment."""

from __future__ import annotations

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from ._harness import check_resource, check_stack, policy, resource

ATTACHMENT = "pulumi-python:dynamic/custom-cloud:VolumeAttachment"
VOLUME = "pulumi-python:dynamic/custom-cloud:Volume"
RULE = "one-attachment-per-volume"


def _attachment(name: str, volume_id: str | None, *, source: PolicyResource | None = None) -> PolicyResource:
    """An attachment; `volume_id` None: not known yet (as the policy engine hands it over at preview)."""
    props = {"server_id": "i-1", "volume_id": UNKNOWN_STRING_VALUE if volume_id is None else volume_id}
    made = resource(ATTACHMENT, name, unknown_checking_proxy(props))
    if source is not None:
        made.property_dependencies = {"volume_id": [source]}
    return made


def test_two_attachments_of_one_volume_are_refused_naming_the_property() -> None:
    assert policy(RULE).description == "No two volume attachments of the stack name the same volume."
    ok = [_attachment("a", "vol-1"), _attachment("b", "vol-2")]
    assert check_stack(RULE, ok).messages == []
    [message] = check_stack(RULE, [*ok, _attachment("c", "vol-1")]).messages
    assert "'a' and 'c'" in message and "volume_id 'vol-1'" in message
    assert "a volume attaches to one server at a time" in message


def test_a_new_volume_is_recognised_by_the_resource_its_id_comes_from() -> None:
    data, logs = resource(VOLUME, "data", {}), resource(VOLUME, "logs", {})
    fine = [_attachment("a", None, source=data), _attachment("b", None, source=logs)]
    assert check_stack(RULE, fine).messages == []
    [message] = check_stack(RULE, [*fine, _attachment("c", None, source=data)]).messages
    assert "'a' and 'c'" in message and "volume_id" in message
    # one known id and one not yet known, both from the same Volume resource: still the same volume
    mixed = [_attachment("d", "vol-9", source=data), _attachment("e", None, source=data)]
    assert len(check_stack(RULE, mixed).messages) == 1


def test_the_declaration_reaches_the_pack() -> None:
    name = "custom-cloud-volume-attachment-schema"
    assert check_resource(name, ATTACHMENT, {"volume_id": "vol-1", "server_id": "i-1"}).messages == []
    [message] = check_resource(name, ATTACHMENT, {"volume_id": "vol-1"}).messages
    assert "server_id" in message and "required" in message.lower()
