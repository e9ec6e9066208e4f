"""The PostgreSQL declaration: every field, its default, its rule and its doc, registered by type token
`provisioning:taskservs:PostgreSQL` (kind "taskserv", category "database"). Named by the
`provisioning.taskservs` entry point. Imports no Pulumi."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import Field

from provisioning.sdk.registry import Declaration, register
from provisioning.sdk.rules import Matches
from provisioning.sdk.taskservice.rules import InRange, Positive
from provisioning.sdk.taskservice.settings import SettingsModel, TaskServiceSettings
from provisioning.sdk.validation import Violation

__all__ = ["POSTGRESQL", "DatabaseSettings", "PostgreSQLConfig", "UserSettings"]

_IDENTIFIER = Matches(
    r"[a-z_][a-z0-9_]{0,62}", "1 to 63 lowercase letters, digits and '_', not starting with a digit"
)


class UserSettings(SettingsModel):
    """A login role; its password is a secret given to the component (`passwords`), never in the config."""

    name: Annotated[str, _IDENTIFIER]
    """The role's name."""
    createdb: bool = False
    """It may create databases."""


class DatabaseSettings(SettingsModel):
    """A database to create."""

    name: Annotated[str, _IDENTIFIER]
    """The database's name."""
    owner: Annotated[str, _IDENTIFIER] = "postgres"
    """Its owner: `postgres` or one of `users`."""


class PostgreSQLConfig(TaskServiceSettings):
    """The stock Debian PostgreSQL cluster (`main`, run by pg_ctlcluster), with its databases and users."""

    version: Annotated[str, Matches(r"[1-9][0-9]*", "a PostgreSQL major version (15)")] = "15"
    """PostgreSQL major version; the host must offer it."""
    port: Annotated[int, InRange(1024, 65536, "must be between 1024 and 65535")] = 5432
    """TCP port clients connect to."""
    listen_addresses: list[str] = Field(default_factory=lambda: ["*"])
    """Addresses the server listens on: `*` (all), `localhost` or IP addresses."""
    max_connections: Annotated[int, Positive()] = 100
    """Most concurrent client connections."""
    databases: list[DatabaseSettings] = Field(default_factory=list)
    """Databases to create (never dropped)."""
    users: list[UserSettings] = Field(default_factory=list)
    """Login roles to create, each with a password in the component's `passwords`."""


def addresses_valid(config: PostgreSQLConfig) -> list[Violation]:
    """listen_addresses is not empty; each is `*`, `localhost` or an IP address."""
    if not config.listen_addresses:
        return [Violation("listen_addresses", [], "listen_addresses must name at least one address ('*')")]
    found = []
    for address in config.listen_addresses:
        try:
            if address not in ("*", "localhost"):
                ipaddress.ip_address(address)
        except ValueError:
            rule = f"listen_addresses item {address!r} must be '*', 'localhost' or an IP address"
            found.append(Violation("listen_addresses", address, rule))
    return found


def names_unique_and_owners_known(config: PostgreSQLConfig) -> list[Violation]:
    """Users and databases are named once each; a database's owner is `postgres` or one of `users`."""
    found = []
    for field, names in (
        ("users", [u.name for u in config.users]),
        ("databases", [d.name for d in config.databases]),
    ):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            found.append(
                Violation(field, repeated, f"{field} names must be unique ({', '.join(repeated)} repeat)")
            )
    users = {"postgres", *(u.name for u in config.users)}
    for database in config.databases:
        if database.owner not in users:
            rule = f"databases owner {database.owner!r} of {database.name!r} must be postgres or one of users"
            found.append(Violation("databases", database.owner, rule))
    if any(u.name == "postgres" for u in config.users):
        found.append(
            Violation("users", "postgres", "users must not include postgres (the cluster's superuser)")
        )
    return found


POSTGRESQL = register(
    Declaration(
        "provisioning:taskservs:PostgreSQL",
        PostgreSQLConfig,
        kind="taskserv",
        category="database",
        rules=(addresses_valid, names_unique_and_owners_known),
    )
)
"""The PostgreSQL task service."""
