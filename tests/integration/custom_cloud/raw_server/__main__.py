"""Registers a `custom-cloud:Server` through a provider that accepts anything: the SDK's classes and checks
are bypassed, so only the policy pack can stop it."""

from typing import Any

import pulumi.dynamic as dyn


class Permissive(dyn.ResourceProvider):
    """Accepts every property and creates nothing."""

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        return dyn.CreateResult("raw-1", props)


class RawServer(dyn.Resource, module="custom-cloud", name="Server"):
    """A resource of the Server's type token, made without the SDK."""

    def __init__(self, name: str, props: dict[str, Any]) -> None:
        super().__init__(Permissive(), name, props)


RawServer(
    "raw",
    {"name": "raw", "machine_type": "huge", "zone": "mars-1a", "disk_size": 5, "labels": {"k" * 70: "v"}},
)
