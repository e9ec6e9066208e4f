"""What each served component takes beyond its config, and the bases that build the Python component users
import, as the served component's child, from the inputs the engine sends: the config's fields go to its
config model, the rest to its keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Required, TypedDict

import pulumi

from provisioning.sdk.errors import ConfigError
from provisioning.sdk.registry import Declaration

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
    outputs. Subclasses say which declaration and how to build; they declare no public attributes (the
    package's schema reads the served class's)."""

    def __init__(
        self, name: str, args: Mapping[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:index:{type(self).__name__}", name, {}, opts)
        fields = self._declaration().model.model_fields
        config = {key: _whole_numbers(value) for key, value in args.items() if key in fields}
        rest = {key: value for key, value in args.items() if key not in fields}
        try:
            made = self._build(name, config, rest, pulumi.ResourceOptions(parent=self))
        except ConfigError as exc:  # the message names every field at fault; the frames below add nothing
            raise exc.with_traceback(None) from None
        outputs = {output: getattr(made, output) for output in output_names(type(made))}
        for output, value in outputs.items():
            setattr(self, output, value)
        self.register_outputs(outputs)

    @staticmethod
    def _declaration() -> Declaration:
        raise NotImplementedError

    def _build(
        self, name: str, config: dict[str, Any], rest: dict[str, Any], opts: pulumi.ResourceOptions
    ) -> pulumi.ComponentResource:
        raise NotImplementedError


class WebStackHost(_Host):
    """Builds `provisioning.components.clusters.WebStack`."""

    @staticmethod
    def _declaration() -> Declaration:
        from provisioning.components.clusters.web_stack import WEB_STACK

        return WEB_STACK

    def _build(
        self, name: str, config: dict[str, Any], rest: dict[str, Any], opts: pulumi.ResourceOptions
    ) -> pulumi.ComponentResource:
        from provisioning.components.clusters.web_stack.component import WebStack

        return WebStack(
            name,
            config,
            ssh_public_key=rest["ssh_public_key"],
            ssh_private_key=rest["ssh_private_key"],
            database_password=rest["database_password"],
            replication_password=rest.get("replication_password"),
            opts=opts,
        )


class CustomDatabaseHost(_Host):
    """Builds `provisioning.components.taskservs.CustomDatabase` on one machine (no standbys: a standby is
    a second target, and the schema has no references to the servers that would be its targets)."""

    @staticmethod
    def _declaration() -> Declaration:
        from provisioning.components.taskservs.custom_database import CUSTOM_DATABASE

        return CUSTOM_DATABASE

    def _build(
        self, name: str, config: dict[str, Any], rest: dict[str, Any], opts: pulumi.ResourceOptions
    ) -> pulumi.ComponentResource:
        from provisioning.components.taskservs.custom_database.component import CustomDatabase
        from provisioning.sdk.taskservice.target import Target

        target = Target.host(
            rest["host"],
            private_key=rest["ssh_private_key"],
            host_key_fingerprints=rest["host_key_fingerprints"],
            port=rest.get("ssh_port", 22),
            user=rest.get("ssh_user", "root"),
            address=rest.get("address"),
        )
        return CustomDatabase(
            name,
            config,
            target=target,
            passwords=rest.get("passwords"),
            replication_password=rest.get("replication_password"),
            admin_password=rest.get("admin_password"),
            opts=opts,
        )
