"""The extension tooling's errors: one tree under `ProvisioningError`, each message saying what to do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provisioning.sdk.errors import ProvisioningError

__all__ = [
    "BuildFailed",
    "ExtensionError",
    "InstallRefused",
    "ManifestError",
    "ManifestProblem",
    "PublishRefused",
    "StackConfigUnavailable",
]


class ExtensionError(ProvisioningError):
    """Root of the extension tooling's errors."""


@dataclass(frozen=True, slots=True)
class ManifestProblem:
    """One broken rule of `extension.toml`: where (table and key) and which rule."""

    table: str
    """The table (`extension`, `compatibility`, …), as written in the file."""
    key: str | None
    """The key within the table (`name`), None for the table itself."""
    rule: str
    """The rule in words (`is required`, `'1.x' is not a version …`)."""

    def __str__(self) -> str:
        where = f"[{self.table}]" + (f" {self.key}" if self.key else "")
        return f"{where}: {self.rule}"


class ManifestError(ExtensionError):
    """`extension.toml` is missing, not TOML, or breaks rules: every problem, each naming table and key."""

    def __init__(self, path: str, problems: Sequence[ManifestProblem]) -> None:
        self.path = path
        """The manifest's path."""
        self.problems = tuple(problems)
        """Every broken rule."""
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{path} is not a valid extension manifest:\n{lines}")


class BuildFailed(ExtensionError):
    """The build front end failed or the extension cannot be built; carries its output's tail."""


class PublishRefused(ExtensionError):
    """The index refused a release (a version already there, bad credentials, no files to publish)."""


class InstallRefused(ExtensionError):
    """An install cannot go on: not on the index, a hash that does not match, pip failed."""


class StackConfigUnavailable(ExtensionError):
    """No stack's config could be read (no Pulumi project there, no such stack, no `pulumi` on PATH)."""
