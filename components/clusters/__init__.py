"""Clusters: several servers and task services composed into one application stack on the cluster base
(`provisioning.sdk.cluster`). `WebStack` (`web_stack`) loads Pulumi when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

if TYPE_CHECKING:
    from .web_stack import WebStack as WebStack, WebStackConfig as WebStackConfig

__all__, __getattr__ = exports_on_first_use(__name__)
