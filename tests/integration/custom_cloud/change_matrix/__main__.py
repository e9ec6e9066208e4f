"""Builds the stack described by the config value `t:stack`: a JSON list of `{"name", "type", "args"}`, in
creation order, where an argument `{"$ref": "<name>"}` (alone or in a list) stands for the id of the resource
of that name. Each resource is made by the resource class of its type token (every `DynamicResource` the
package defines), so a newly declared resource type needs no change here. Exports `ids`: name → id."""

from __future__ import annotations

import json
from typing import Any

import pulumi

import provisioning.providers.custom_cloud.resources  # noqa: F401 (defines the resource classes)
from provisioning.sdk.dynamic import DynamicResource


def resource_classes() -> dict[str, type[DynamicResource]]:
    """Every concrete resource class by its declaration's type token."""
    found: dict[str, type[DynamicResource]] = {}
    pending = list(DynamicResource.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "declaration" in vars(cls):
            found[cls.declaration.type_token] = cls
    return found


def resolve(value: Any, made: dict[str, DynamicResource]) -> Any:
    """`value` with every reference replaced by the id output of the resource it names."""
    if isinstance(value, dict) and set(value) == {"$ref"}:
        return made[value["$ref"]].id
    if isinstance(value, list):
        return [resolve(item, made) for item in value]
    return value


classes = resource_classes()
made: dict[str, DynamicResource] = {}
for entry in json.loads(pulumi.Config("t").require("stack")):
    args = {key: resolve(value, made) for key, value in entry["args"].items()}
    made[entry["name"]] = classes[entry["type"]](entry["name"], **args)
pulumi.export("ids", {name: resource.id for name, resource in made.items()})
