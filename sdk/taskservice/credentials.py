"""What database task services share about secrets: the stdin their credentials steps read (one
`name base64(password)` line per account), and the rules that every user has a password and that replica
targets match the config. Imports no Pulumi."""

from __future__ import annotations

import base64
from collections.abc import Collection, Mapping

from ..validation import Violation

__all__ = ["credentials_input", "password_violations", "replica_violations"]


def credentials_input(passwords: Mapping[str, str]) -> str:
    """A credentials step's stdin: one `name base64(password)` line per account, sorted (never printed)."""
    return "".join(
        f"{name} {base64.b64encode(password.encode()).decode()}\n"
        for name, password in sorted(passwords.items())
    )


def password_violations(users: Collection[str], passwords: Collection[str]) -> list[Violation]:
    """Every user has a password in `passwords={...}`, and every password a user."""
    found = []
    for name in sorted(set(users) - set(passwords)):
        found.append(Violation("users", name, f"users {name!r} has no password in passwords={{...}}"))
    for name in sorted(set(passwords) - set(users)):
        found.append(Violation("users", name, f"passwords has {name!r}, which is not one of users"))
    return found


def replica_violations(enabled: bool, wanted: int, given: int) -> list[Violation]:
    """As many replica targets as `replication.replicas` asks for, and none without replication."""
    if enabled and given != wanted:
        rule = f"replication.replicas is {wanted} but {given} replica target(s) were given (replicas=[...])"
        return [Violation("replication.replicas", wanted, rule)]
    if not enabled and given:
        rule = f"{given} replica target(s) were given but replication.enabled is false"
        return [Violation("replication.enabled", False, rule)]
    return []
