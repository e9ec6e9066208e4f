"""What a task service's render module hands its component: one step's scripts (`Scripts`) and the server
of a primary/replica service they are rendered for (`Host`). Imports no Pulumi."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Host", "Scripts"]


@dataclass(frozen=True)
class Scripts:
    """The scripts of one step: its first run, its reruns (None: the same) and its delete (None: none)."""

    run: str
    """First run."""
    update: str | None = None
    """Reruns."""
    delete: str | None = None
    """On delete."""


@dataclass(frozen=True)
class Host:
    """One server of a service with a primary and replicas, as its scripts see it."""

    address: str
    """Where clients (and replicas) reach it."""
    role: Literal["primary", "replica"] = "primary"
    """The primary, or a replica of it."""
    index: int = 0
    """The replica's number (0 for the first)."""
    primary_address: str | None = None
    """A replica's primary."""
