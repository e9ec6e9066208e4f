"""The Custom Cloud Server's check rules as rows, for the provider's unit test and the engine's preview test:
each row sets one field to a value that breaks one rule, and the check names that field with the reason."""

from __future__ import annotations

from typing import Any

__all__ = ["SERVER_RULES"]

SERVER_RULES: list[tuple[str, Any, str]] = [
    ("machine_type", "", "machine_type cannot be empty"),
    ("disk_size", 5, "disk_size must be at least 10GB"),
    ("machine_type", "huge", "unknown machine_type 'huge'"),
    ("zone", "mars-1a", "unknown zone 'mars-1a'"),
    ("zone", "eu-west-1a", "zone 'eu-west-1a' is not in region 'us-west-1'"),
    ("disk_type", "nvme", "unknown disk_type 'nvme'"),
    ("name", "Bad_Name", "name 'Bad_Name' must be lowercase letters, digits and dashes"),
]
"""(field, a value breaking one of its rules, what the reason says), over valid inputs in region us-west-1."""
