"""Rules over the whole stack: the hourly budget, what production requires, the labels every server carries,
one attachment per volume.

Each reads what the declarations and the provider's check put in the resources' properties (the estimated
cost, the database and load balancer settings); none restates a field's own limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from provisioning.providers.custom_cloud import specs
from provisioning.sdk.cost import COST_OUTPUT
from provisioning.sdk.registry import declaration_for_type

from ._props import known_props
from .config import BudgetConfig, EnvironmentConfig, LabelsConfig, schema_of

__all__ = ["stack_policies"]

SERVER = specs.SERVER.type_token
LOAD_BALANCER = specs.LOAD_BALANCER.type_token
VOLUME = specs.VOLUME.type_token
VOLUME_ATTACHMENT = specs.VOLUME_ATTACHMENT.type_token
PRODUCTION_STACKS = ("prod", "production")
"""Stack names (or prefixes before a dash) that mean production when no `environment` is configured."""


def _token(resource: PolicyResource) -> str:
    decl = declaration_for_type(resource.resource_type)
    return decl.type_token if decl is not None else resource.resource_type


def _props(resource: PolicyResource) -> dict[str, Any]:
    return known_props(resource.props)[0]


def _of(args: StackValidationArgs, token: str) -> Iterator[tuple[PolicyResource, dict[str, Any]]]:
    for resource in args.resources:
        if _token(resource) == token:
            yield resource, _props(resource)


def _databases(args: StackValidationArgs) -> Iterator[tuple[PolicyResource, dict[str, Any]]]:
    """Task services whose declaration says they are databases (category `database`)."""
    for resource in args.resources:
        decl = declaration_for_type(resource.resource_type)
        if decl is not None and decl.category == "database":
            yield resource, _props(resource)


def _is_production(args: StackValidationArgs) -> bool:
    configured = args.get_config().get("environment")
    if configured:
        return str(configured) == "production"
    stack = args.resources[0].urn.split(":")[2].split("::")[0] if args.resources else ""
    return stack in PRODUCTION_STACKS or stack.split("-")[0] in PRODUCTION_STACKS


# -- budget ---------------------------------------------------------------------------------------------


def _budget(args: StackValidationArgs, report: ReportViolation) -> None:
    limit = args.get_config().get("max_hourly_cost")
    if limit is None:
        args.not_applicable("no max_hourly_cost configured")
        return
    items = []
    for resource in args.resources:
        value = _props(resource).get(COST_OUTPUT)
        if isinstance(value, int | float) and _token(resource) in (SERVER, VOLUME):
            items.append((float(value), f"{_token(resource)} {resource.name!r}"))
    total = round(sum(v for v, _ in items), 6)
    if total > float(limit):
        largest = ", ".join(f"{name} {value:.4f}" for value, name in sorted(items, reverse=True)[:3])
        report(
            f"the stack's estimated cost is {total:.4f} USD/hour, over the budget of {float(limit):.4f} "
            f"(max_hourly_cost); largest: {largest}",
            None,
        )


# -- production ------------------------------------------------------------------------------------------


def _production(check: Any) -> Any:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        if not _is_production(args):
            args.not_applicable("not a production stack")
            return
        check(args, report)

    return validate


def _database_setting(setting: str, why: str) -> Any:
    """A rule: every database has `<setting>.enabled` on (`why` says what production asks)."""

    def check(args: StackValidationArgs, report: ReportViolation) -> None:
        for resource, props in _databases(args):
            if not (props.get(setting) or {}).get("enabled"):
                report(f"database {resource.name!r}: {setting}.enabled is off; {why}", resource.urn)

    return check


def _load_balancers_on_tls(args: StackValidationArgs, report: ReportViolation) -> None:
    for resource, props in _of(args, LOAD_BALANCER):
        if not any(str(listener.get("port")) == "443" for listener in props.get("listeners") or []):
            report(
                f"load balancer {resource.name!r}: no listener on port 443; in production they serve TLS",
                resource.urn,
            )


def _ssl(args: StackValidationArgs, report: ReportViolation) -> None:
    _database_setting("ssl", "production databases require SSL")(args, report)
    _load_balancers_on_tls(args, report)


_backups = _database_setting("backup", "production databases are backed up")
_high_availability = _database_setting("replication", "production needs a replica")


def _hosts_of(args: StackValidationArgs, service: PolicyResource) -> list[PolicyResource]:
    """The servers a task service runs on: what it, or its children (its remote commands), depend on."""
    children = [r for r in args.resources if r.parent is not None and r.parent.urn == service.urn]
    found = {d.urn: d for r in (service, *children) for d in r.dependencies if _token(d) == SERVER}
    return list(found.values())


def _database_hosts_private(args: StackValidationArgs, report: ReportViolation) -> None:
    for database, _ in _databases(args):
        for resource in _hosts_of(args, database):
            if _token(resource) == SERVER and _props(resource).get("external_ip", True):
                report(
                    f"server {resource.name!r} runs database {database.name!r} and has a public IP "
                    "(external_ip is true); database servers stay private",
                    resource.urn,
                )


# -- labels -----------------------------------------------------------------------------------------------


def _required_labels(args: StackValidationArgs, report: ReportViolation) -> None:
    required = [str(label) for label in args.get_config().get("labels") or []]
    if not required:
        args.not_applicable("no labels required")
        return
    for resource, props in _of(args, SERVER):
        missing = [label for label in required if label not in (props.get("labels") or {})]
        if missing:
            report(
                f"server {resource.name!r}: labels {', '.join(missing)} are required (labels)", resource.urn
            )


# -- volume attachments -------------------------------------------------------------------------------------


def _volume_keys(resource: PolicyResource, props: dict[str, Any]) -> set[str]:
    """What names an attachment's volume: its id when known, and the Volume resource its volume_id comes
    from (known before the id is, so two attachments of one new volume are caught at the first preview)."""
    keys = {f"id {props['volume_id']}"} if isinstance(props.get("volume_id"), str) else set()
    sources = (resource.property_dependencies or {}).get("volume_id") or []
    volumes = [d for d in sources if _token(d) == VOLUME]
    if len(volumes) == 1:
        keys.add(f"resource {volumes[0].urn}")
    return keys


def _one_attachment_per_volume(args: StackValidationArgs, report: ReportViolation) -> None:
    holders: dict[str, PolicyResource] = {}
    for resource, props in _of(args, VOLUME_ATTACHMENT):
        keys = _volume_keys(resource, props)
        held = [holders[k] for k in sorted(keys) if k in holders]
        if held:
            volume = props.get("volume_id", "(not known yet)")
            report(
                f"volume attachments {held[0].name!r} and {resource.name!r} name the same volume (volume_id "
                f"{volume!r}); a volume attaches to one server at a time",
                resource.urn,
            )
        for key in keys:
            holders.setdefault(key, resource)


def stack_policies() -> list[StackValidationPolicy]:
    """The budget, production, label and volume attachment rules."""

    def policy(name: str, description: str, validate: Any, level: EnforcementLevel, config: Any) -> Any:
        made = StackValidationPolicy(
            name=name,
            description=description,
            enforcement_level=level,
            severity=Severity.MEDIUM,
            config_schema=None if config is None else schema_of(config),
            validate=validate,
        )
        made.settings = config  # type: ignore[attr-defined]  # read by the pack configuration check
        return made

    budget, labels, environment = BudgetConfig, LabelsConfig, EnvironmentConfig
    mandatory, advisory = EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY
    return [
        policy(
            "stack-budget",
            "The stack's estimated hourly cost stays within the budget.",
            _budget,
            mandatory,
            budget,
        ),
        policy(
            "production-ssl",
            "In production, databases and load balancers use TLS.",
            _production(_ssl),
            mandatory,
            environment,
        ),
        policy(
            "production-backups",
            "In production, databases are backed up.",
            _production(_backups),
            mandatory,
            environment,
        ),
        policy(
            "production-high-availability",
            "In production, databases have a streaming replica.",
            _production(_high_availability),
            advisory,
            environment,
        ),
        policy(
            "production-private-databases",
            "In production, servers that run databases have no public IP.",
            _production(_database_hosts_private),
            mandatory,
            environment,
        ),
        policy(
            "required-labels",
            "Every server carries the configured labels.",
            _required_labels,
            advisory,
            labels,
        ),
        policy(
            "one-attachment-per-volume",
            "No two volume attachments of the stack name the same volume.",
            _one_attachment_per_volume,
            mandatory,
            None,
        ),
    ]
