"""What a lookup raises when it does not find exactly one resource."""

from __future__ import annotations

from collections.abc import Sequence

from provisioning.sdk.errors import ProvisioningError

__all__ = ["AmbiguousLookup", "LookupFailed", "NothingFound"]


class LookupFailed(ProvisioningError):
    """A lookup did not find exactly one resource; names what was looked for."""

    def __init__(self, noun: str, wanted: str, message: str) -> None:
        self.noun = noun
        """What was looked for (`server`)."""
        self.wanted = wanted
        """The criteria, in words (`named 'web' in zone us-west-1a`)."""
        super().__init__(message)


class NothingFound(LookupFailed):
    """No resource matched (`no server named 'web' in zone us-west-1a`)."""

    def __init__(self, noun: str, wanted: str) -> None:
        super().__init__(noun, wanted, f"no {noun} {wanted}")


class AmbiguousLookup(LookupFailed):
    """More than one resource matched; lists the candidates and how to tell them apart."""

    def __init__(self, noun: str, wanted: str, candidates: Sequence[str], hint: str) -> None:
        self.candidates = tuple(candidates)
        """The matches, each as `id (where)`."""
        super().__init__(
            noun,
            wanted,
            f"{len(candidates)} {noun}s {wanted}: {', '.join(candidates)}; {hint}",
        )
