"""Which tiers of a cluster scale: read from its declaration, never listed twice."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["TIER_SUFFIX", "scalable_tiers"]

TIER_SUFFIX = "_tier"
"""A cluster config's tier sections are named `<tier>_tier` (`web_tier`, `app_tier`)."""


def scalable_tiers(model: type[BaseModel]) -> dict[str, str]:
    """Tier name -> config field of its section, for every `<tier>_tier` section with a `replicas` field,
    in declaration order (WebStack: `{"web": "web_tier", "app": "app_tier"}`)."""
    found = {}
    for name, field in model.model_fields.items():
        section = field.annotation
        if not name.endswith(TIER_SUFFIX) or not isinstance(section, type):
            continue
        if issubclass(section, BaseModel) and "replicas" in section.model_fields:
            found[name.removesuffix(TIER_SUFFIX)] = name
    return found
