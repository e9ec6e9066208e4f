"""Clusters: several servers and task services composed into one application stack on the cluster base
(`provisioning.sdk.cluster`). `WebStack` (`web_stack`) loads Pulumi when first used."""

from provisioning.sdk._lazy import names_on_first_use

__all__ = ["WebStack", "WebStackConfig"]

__getattr__ = names_on_first_use(__name__, __all__, ["web_stack"])
