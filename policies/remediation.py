"""Remediations that are safe to apply for the user: resources get the default labels they lack."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from provisioning.sdk.registry import declaration_for_type

from ._props import known_props
from .config import DefaultLabelsConfig, schema_of

__all__ = ["default_labels_policy"]


def _add_default_labels(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    defaults = {str(k): str(v) for k, v in (args.get_config().get("labels") or {}).items()}
    decl = declaration_for_type(args.resource_type)
    if not defaults or decl is None or "labels" not in decl.model.model_fields:
        return None
    props, unknown = known_props(args.props)
    if "labels" in unknown:
        return None
    labels = dict(props.get("labels") or {})
    missing = {k: v for k, v in defaults.items() if k not in labels}
    if not missing:
        return None
    return {**props, "labels": {**labels, **missing}}


def _report_missing(args: ResourceValidationArgs, report: Any) -> None:
    changed = _add_default_labels(args)
    if changed is not None:
        added = sorted(set(changed["labels"]) - set(known_props(args.props)[0].get("labels") or {}))
        report(
            f"{args.resource_type} {args.name!r}: default labels {', '.join(added)} are missing (labels)",
            None,
        )


def default_labels_policy() -> ResourceValidationPolicy:
    """`default-labels`: adds the configured labels a resource lacks (remediate), or reports them."""
    made = ResourceValidationPolicy(
        name="default-labels",
        description="Resources carry the organisation's default labels; remediation adds the missing ones.",
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=schema_of(DefaultLabelsConfig),
        validate=_report_missing,
        remediate=_add_default_labels,  # type: ignore[arg-type]  # pulumi-policy also takes a plain mapping
    )
    made.settings = DefaultLabelsConfig  # type: ignore[attr-defined]  # read by the pack's configuration check
    return made
