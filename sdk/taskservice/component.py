"""`TaskService`: the Pulumi component every task service builds on.

A subclass names its declaration (the config model, registered by type token) and its metadata, and says
which steps run where (`steps`); the base validates the config before registering anything, turns each step
into a `pulumi_command.remote.Command`, knows at preview which steps will run (`ChangePlan`), and reads the
health step's report into outputs. See docs/task-services.md."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pulumi
from pulumi_command import remote
from pydantic import BaseModel

from ..fields import FROM_RESOURCE_NAME, fields_with
from ..registry import Declaration
from ..validation import Violation
from .changes import fingerprint, secret_fingerprint
from .errors import InvalidConfig
from .health import HealthReport, parse_health
from .plan import ChangePlan
from .settings import Category, ServiceMetadata, TaskServiceSettings
from .target import Target
from .templates import remote_command

__all__ = ["Step", "TaskService", "validated_config"]


@dataclass(frozen=True)
class Step:
    """One step of a task service on one target: a `remote.Command` whose scripts are rendered templates.

    pulumi-command runs `run` when the step is created and `update` (default: `run` again) whenever any of
    its scripts or its secret input change, so only what changed reruns; `delete` runs when it is
    deleted."""

    name: str
    """Unique within the service (`install`, `replica-0-standby`); the command is `<resource>-<name>`."""
    target: Target
    """Where it runs."""
    run: pulumi.Input[str]
    """The script its first run executes (plain POSIX sh, from `TemplateLibrary.step`)."""
    first: Category | None = "install"
    """What `planned_changes` calls its first run (None: not reported)."""
    again: Category | None = None
    """What `planned_changes` calls a rerun (None: not reported)."""
    update: pulumi.Input[str] | None = None
    """The script a rerun executes (None: `run`)."""
    delete: pulumi.Input[str] | None = None
    """The script run when the step is deleted (None: nothing)."""
    secret: pulumi.Input[str] | None = None
    """A secret the script reads on stdin (never in a script, a fingerprint or a log)."""
    health: bool = False
    """A health step: it runs again whenever a step with a category changes, and prints a health report."""
    after: tuple[str, ...] | None = None
    """Steps it waits for (None: the step before it)."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """Resources outside the service it waits for too (a rolling update's previous batch)."""


class TaskService(pulumi.ComponentResource):
    """Base of task services: typed config checked at preview, steps over SSH, health and change outputs.

    Subclasses set `declaration` (model and rules, registered with kind "taskserv") and implement
    `metadata` and `steps`; `extra_violations` checks arguments beyond the config, `endpoint` says where
    clients connect."""

    declaration: ClassVar[Declaration]
    """The task service's declaration (its config model and cross-field rules)."""

    config: TaskServiceSettings
    """The validated config."""
    endpoint: pulumi.Output[str]
    """Where clients connect (`address:port`)."""
    version: pulumi.Output[str]
    """The version running on the target, as its health step read it."""
    status: pulumi.Output[str]
    """`running` when every check passed, else `unhealthy`."""
    healthy: pulumi.Output[bool]
    """Every health check passed."""
    checks: pulumi.Output[list[dict[str, str]]]
    """Health records: name, status, message, last_check."""
    service_metadata: pulumi.Output[dict[str, Any]]
    """name, description, version, category, dependencies, supported_os, ports, data_directories."""
    planned_changes: pulumi.Output[list[str]]
    """At preview: which of install, configure, update this `up` runs; empty once it is done."""
    commands: dict[str, remote.Command]
    """The step commands by step name (what other resources can depend on)."""

    def __init__(
        self,
        resource_name: str,
        config: BaseModel | Mapping[str, Any] | None = None,
        *,
        target: Target,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        self.config = self.validated(resource_name, config)
        props = self.config.model_dump(mode="json")
        super().__init__(self.declaration.type_token, resource_name, props, opts)
        steps = self.steps(self.config, target)
        commands = self.commands = self._commands(resource_name, steps)
        plan = self._plan(resource_name, steps, commands)
        report = self._health(steps, commands)
        metadata = self.metadata(self.config).model_dump(mode="json")
        self.endpoint = self.endpoint_of(self.config, target)
        self.version = report.apply(lambda r: r.facts.get("version", ""))
        self.healthy = report.apply(lambda r: r.healthy)
        self.status = report.apply(lambda r: "running" if r.healthy else "unhealthy")
        self.checks = report.apply(lambda r: [c.model_dump(mode="json") for c in r.checks])
        self.service_metadata = pulumi.Output.from_input(metadata)
        self.planned_changes = plan.planned_changes
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "version": self.version,
                "status": self.status,
                "healthy": self.healthy,
                "checks": self.checks,
                "service_metadata": self.service_metadata,
                "planned_changes": self.planned_changes,
            }
        )

    # -- what subclasses provide ---------------------------------------------------------------------

    def metadata(self, config: Any) -> ServiceMetadata:
        """What the service is (the `service_metadata` output)."""
        raise NotImplementedError

    def steps(self, config: Any, target: Target) -> Sequence[Step]:
        """The steps, in order: each waits for the one before it unless it names others in `after`."""
        raise NotImplementedError

    def extra_violations(self, config: Any) -> list[Violation]:
        """Rules on arguments beyond the config (e.g. as many replica targets as the config asks for)."""
        return []

    def endpoint_of(self, config: Any, target: Target) -> pulumi.Output[str]:
        """Where clients connect: the target's address and the config's `port` when it has one."""
        port = getattr(config, "port", None)
        return target.address.apply(lambda address: address if port is None else f"{address}:{port}")

    # -- the machinery -------------------------------------------------------------------------------

    def validated(self, resource_name: str, config: BaseModel | Mapping[str, Any] | None) -> Any:
        """The config as the declaration's model; `InvalidConfig` names every broken rule."""
        return validated_config(
            self.declaration, type(self).__name__, resource_name, config, self.extra_violations
        )

    def _commands(self, resource_name: str, steps: Sequence[Step]) -> dict[str, remote.Command]:
        commands: dict[str, remote.Command] = {}
        names = [step.name for step in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"{type(self).__name__}: step names repeat: {names}")
        # what the health step re-checks after: the steps that change the service (not remove's arming)
        others = self._fingerprints([s for s in steps if not s.health and (s.first or s.again)])
        inputs = pulumi.Output.all(*others.values()).apply(lambda found: fingerprint(*found))
        for index, step in enumerate(steps):
            after = step.after if step.after is not None else tuple(names[index - 1 : index])
            sudo = step.target.user != "root"
            run = step.run
            if step.health:
                # the other steps' fingerprint in the script: any change reruns the checks, in place
                run = pulumi.Output.all(step.run, inputs).apply(lambda r: f"# after steps {r[1]}\n{r[0]}")
            create = _command_text(step.name, run, sudo)
            commands[step.name] = remote.Command(
                f"{resource_name}-{step.name}",
                connection=step.target.connection,
                create=create,
                update=create if step.update is None else _command_text(step.name, step.update, sudo),
                delete=None if step.delete is None else _command_text(step.name, step.delete, sudo),
                stdin=None if step.secret is None else pulumi.Output.secret(step.secret),
                add_previous_output_in_env=False,
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[*(commands[name] for name in after), *step.depends_on]
                ),
            )
        return commands

    def _fingerprints(self, steps: Sequence[Step]) -> dict[str, pulumi.Output[str]]:
        """Each step's scripts hashed (what pulumi-command compares, so what makes it run again)."""
        found: dict[str, pulumi.Output[str]] = {}
        for step in steps:
            scripts = pulumi.Output.all(step.run, step.update, step.delete)
            found[step.name] = scripts.apply(lambda s: fingerprint(*s))
        return found

    def _plan(
        self, resource_name: str, steps: Sequence[Step], commands: Mapping[str, remote.Command]
    ) -> ChangePlan:
        reported = [step for step in steps if step.first is not None or step.again is not None]
        secret: dict[str, pulumi.Output[str]] = {
            step.name: pulumi.Output.secret(step.secret).apply(
                functools.partial(_secret_fingerprint_later, step.name)
            )
            for step in reported
            if step.secret is not None
        }
        return ChangePlan(
            f"{resource_name}-plan",
            fingerprints=self._fingerprints(reported),
            secret_fingerprints=secret,
            categories={step.name: (step.first, step.again) for step in reported},
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(commands.values())),
        )

    def _health(
        self, steps: Sequence[Step], commands: Mapping[str, remote.Command]
    ) -> pulumi.Output[HealthReport]:
        health = [step for step in steps if step.health]
        outputs = [commands[step.name].stdout for step in health]
        # the first health step is the service's own; the others' checks are named after their step
        prefixes = [
            "" if i == 0 else step.name.removesuffix("health").rstrip("-") + ":"
            for i, step in enumerate(health)
        ]

        def merged(texts: list[str]) -> HealthReport:
            reports = [
                parse_health(text or "").prefixed(prefix)
                for text, prefix in zip(texts, prefixes, strict=True)
            ]
            if not reports:
                return HealthReport()
            checks = tuple(check for report in reports for check in report.checks)
            return HealthReport(checks, reports[0].facts)

        return pulumi.Output.all(*outputs).apply(merged)


def validated_config(
    declaration: Declaration,
    owner: str,
    resource_name: str,
    config: BaseModel | Mapping[str, Any] | None,
    extra_violations: Callable[[Any], list[Violation]],
) -> Any:
    """`config` as `declaration`'s model (fields marked FROM_RESOURCE_NAME default to `resource_name`);
    `InvalidConfig` names every broken rule (misspelt fields, field and cross-field rules, then
    `extra_violations` of the parsed config) as `owner 'resource_name': invalid config: …`. Task services
    and clusters validate through it."""
    model = declaration.model
    data = config.model_dump(exclude_unset=True) if isinstance(config, BaseModel) else dict(config or {})
    for field in fields_with(model, FROM_RESOURCE_NAME):
        if data.get(field) is None:
            data[field] = resource_name
    found = _unknown_fields(model, data, "") or declaration.check(data)
    if not found:
        parsed = model.model_validate(data)
        found = extra_violations(parsed)
        if not found:
            return parsed
    raise InvalidConfig(owner, resource_name, found)


def _unknown_fields(model: type[BaseModel], data: Mapping[str, Any], prefix: str) -> list[Violation]:
    """Keys of `data` (and of its nested sections) that are no field of `model`: a misspelt name."""
    found = []
    for key, value in data.items():
        info = model.model_fields.get(key)
        if info is None:
            known = ", ".join(sorted(model.model_fields))
            found.append(Violation(prefix + key, value, f"unknown field {key!r}; known: {known}"))
        elif isinstance(value, Mapping) and isinstance(info.annotation, type):
            if issubclass(info.annotation, BaseModel):
                found += _unknown_fields(info.annotation, value, f"{prefix}{key}.")
    return found


def _command_text(step: str, script: pulumi.Input[str], sudo: bool) -> pulumi.Output[str]:
    return pulumi.Output.from_input(script).apply(lambda text: remote_command(step, text, sudo=sudo))


def _secret_fingerprint_later(step: str, secret: str) -> Awaitable[str]:
    """`secret_fingerprint` in a worker thread, for an `apply`: the slow hash takes ≈ 0.1 s of CPU, and the
    program goes on registering resources meanwhile."""
    return asyncio.to_thread(secret_fingerprint, step, secret)
