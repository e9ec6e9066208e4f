"""One policy per registered declaration, for each of two families of its rules: `<token>-schema` (field
limits and cross-field rules) and `<token>-catalog` (region, zone, machine type and disk type exist; the zone
is in the region). Both come from the declaration itself (`provisioning.sdk.registry`): a limit added to a
declaration reaches the pack without any change here."""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from provisioning.sdk.registry import Declaration, declaration_for_type, declarations
from provisioning.sdk.rules import InCatalog
from provisioning.sdk.validation import Violation

from ._props import known_props

__all__ = ["catalog_fields", "declaration_policies", "policy_name"]


_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z][a-z])")
"""Where a new word starts in a type's name: a capital followed by a small letter, after a small letter or a
digit (`LoadBalancer` → load, balancer); a run of capitals stays in its word (`HAProxy`, `MariaDB`)."""


def policy_name(decl: Declaration, family: str) -> str:
    """`custom-cloud:LoadBalancer` → `custom-cloud-load-balancer-schema`, `provisioning:taskservs:HAProxy` →
    `provisioning-taskservs-haproxy-schema` (kebab case, as policy names are)."""
    parts = (_WORD_START.sub("-", part).lower() for part in decl.type_token.split(":"))
    return f"{'-'.join(parts)}-{family}"


def _names_catalog(annotation: Any) -> bool:
    if any(isinstance(m, InCatalog) for m in getattr(annotation, "__metadata__", ())):
        return True
    return any(_names_catalog(arg) for arg in typing.get_args(annotation))


def catalog_fields(decl: Declaration) -> set[str]:
    """Fields whose values must exist in a catalog (their type carries an `InCatalog` rule)."""
    return {
        name
        for name, info in decl.model.model_fields.items()
        if any(isinstance(m, InCatalog) for m in info.metadata) or _names_catalog(info.annotation)
    }


def _is_catalog(decl: Declaration, violation: Violation) -> bool:
    return violation.field.split(".")[0] in catalog_fields(decl)


def _validator(decl: Declaration, catalog: bool) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if declaration_for_type(args.resource_type) is not decl:
            return
        data, unknown = known_props(args.props)
        for violation in decl.check(data, unknown=unknown):
            if _is_catalog(decl, violation) == catalog:
                where = f"{decl.type_token} {args.name!r}"
                report(f"{where}: {violation.field} = {violation.value!r}: {violation.rule}", None)

    return validate


def _policy(decl: Declaration, family: str, description: str) -> ResourceValidationPolicy:
    return ResourceValidationPolicy(
        name=policy_name(decl, family),
        description=description,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        validate=_validator(decl, catalog=family == "catalog"),
    )


def declaration_policies() -> list[ResourceValidationPolicy]:
    """The schema and catalog policies of every registered declaration (extensions included)."""
    found = []
    for decl in sorted(declarations().values(), key=lambda d: d.type_token):
        found.append(
            _policy(decl, "schema", f"{decl.type_token} follows its declared rules ({decl.description})")
        )
        if catalog_fields(decl):
            found.append(
                _policy(decl, "catalog", f"{decl.type_token} names a region, zone and types the catalog has.")
            )
    return found
