"""What each served component takes beyond its config, and the bases that build the Python component users
import, as the served component's child, from the inputs the engine sends: the config's fields go to its
config model, the rest to its keyword arguments."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Required, TypedDict

import pulumi

from provisioning.sdk.errors import ConfigError

from ._source import output_names

__all__ = ["CustomDatabaseHost", "CustomDatabaseInputs", "PACKAGE", "WebStackHost", "WebStackInputs"]

PACKAGE = "provisioning"
"""The package name: `pulumi package add` names the SDK after it; its types are `provisioning:index:*`."""


class WebStackInputs(TypedDict, total=False):
    """The SSH key pair and the database passwords."""

    ssh_public_key: Required[pulumi.Input[str]]
    """OpenSSH public key installed on every server."""
    ssh_private_key: Required[pulumi.Input[str]]
    """Its private key (pass a secret): how the task services reach the servers."""
    database_password: Required[pulumi.Input[str]]
    """Password of the app's database user (pass a secret)."""
    replication_password: pulumi.Input[str]
    """The replica's login to the primary (pass a secret). Default: database_password."""


class CustomDatabaseInputs(TypedDict, total=False):
    """The machine it runs on, reached over SSH with its host key pinned, and the passwords."""

    host: Required[pulumi.Input[str]]
    """SSH address of the machine."""
    ssh_port: pulumi.Input[int]
    """SSH port of the machine. Default: `22`."""
    host_key_fingerprints: Required[pulumi.Input[list[str]]]
    """`SHA256:…` fingerprints the machine's host key must match (read once with ssh-keyscan and pinned)."""
    ssh_user: str
    """SSH user: root, or a user with passwordless sudo. Default: `"root"`."""
    ssh_private_key: Required[pulumi.Input[str]]
    """Private key of the SSH user (pass a secret)."""
    address: pulumi.Input[str]
    """The address clients of the database use. Default: host."""
    passwords: pulumi.Input[dict[str, pulumi.Input[str]]]
    """`{"postgres": <secret>}`: the password of the `postgres` role (pass a secret)."""
    replication_password: pulumi.Input[str]
    """The `replicator` role's password, with replication (pass a secret). Default: the `postgres` role's."""
    admin_password: pulumi.Input[str]
    """Deprecated: the former name of `passwords["postgres"]` (pass a secret)."""


def _whole_numbers(value: Any) -> Any:
    """`value` with whole floats as ints, in nested lists and mappings too: the engine sends every number
    as a float (the provider host converts only top-level integers), and a config's rules quote the value."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


class _Host(pulumi.ComponentResource):
    """Registers `provisioning:index:<class name>`, builds the Python component as its child and takes its
    outputs. Subclasses name the component (`_component`: `module:Class`, imported when first built, its
    `declaration` saying which inputs are its config) and its keyword arguments from the other inputs; they
    declare no public attributes (the package's schema reads the served class's)."""

    _component = ""
    """`module:Class` of the Python component built (not annotated: the schema would read it)."""

    def __init__(
        self, name: str, args: Mapping[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:index:{type(self).__name__}", name, {}, opts)
        module, _, attribute = self._component.partition(":")
        component = getattr(importlib.import_module(module), attribute)
        fields = component.declaration.model.model_fields
        config = {key: _whole_numbers(value) for key, value in args.items() if key in fields}
        rest = {key: value for key, value in args.items() if key not in fields}
        try:
            made = component(name, config, **self._arguments(rest), opts=pulumi.ResourceOptions(parent=self))
        except ConfigError as exc:  # the message names every field at fault; the frames below add nothing
            raise exc.with_traceback(None) from None
        outputs = {output: getattr(made, output) for output in output_names(type(made))}
        for output, value in outputs.items():
            setattr(self, output, value)
        self.register_outputs(outputs)

    @staticmethod
    def _arguments(rest: Mapping[str, Any]) -> dict[str, Any]:
        """The component's keyword arguments (but `opts`) from the inputs beyond its config."""
        raise NotImplementedError


class WebStackHost(_Host):
    """Builds `provisioning.components.clusters.WebStack`."""

    _component = "provisioning.components.clusters.web_stack.component:WebStack"

    @staticmethod
    def _arguments(rest: Mapping[str, Any]) -> dict[str, Any]:
        keys = ("ssh_public_key", "ssh_private_key", "database_password")
        return {**{key: rest[key] for key in keys}, "replication_password": rest.get("replication_password")}


class CustomDatabaseHost(_Host):
    """Builds `provisioning.components.taskservs.CustomDatabase` on one machine (no standbys: a standby is
    a second target, and the schema has no references to the servers that would be its targets)."""

    _component = "provisioning.components.taskservs.custom_database.component:CustomDatabase"

    @staticmethod
    def _arguments(rest: Mapping[str, Any]) -> dict[str, Any]:
        from provisioning.sdk.taskservice.target import Target

        target = Target.host(
            rest["host"],
            private_key=rest["ssh_private_key"],
            host_key_fingerprints=rest["host_key_fingerprints"],
            port=rest.get("ssh_port", 22),
            user=rest.get("ssh_user", "root"),
            address=rest.get("address"),
        )
        passwords = {key: rest.get(key) for key in ("passwords", "replication_password", "admin_password")}
        return {"target": target, **passwords}
