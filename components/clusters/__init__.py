"""Clusters: several servers and task services composed into one application stack on the cluster base
(`provisioning.sdk.cluster`). `WebStack` (`web_stack`) loads Pulumi when first used."""

from typing import Any

__all__ = ["WebStack", "WebStackConfig"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import web_stack

        return getattr(web_stack, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
