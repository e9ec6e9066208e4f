"""The dynamic-provider base every provider builds on: pydantic `check`, generic `diff`, stable pickling,
configuration through `configure`, and a resource base with the pickle and secret-output workarounds."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar, Self

import pulumi
import pulumi.dynamic as dyn
from pydantic import BaseModel, ValidationError

from ._cancel import install_cancel_exit
from ._host import (
    PROVIDER_KEY,
    PROVIDERS_BY_TYPE,
    in_dynamic_host,
    install_create_urn,
    install_provider_in_outputs_only,
    install_read_fallback,
    raise_host_workers,
    record_diff_keys,
)
from ._pickling import pickler_restored
from ._program import install_async_debug_log, install_user_frames
from .cost import COST_OUTPUT, track_cost
from .fields import (
    COMPUTED,
    FILLED_BY_SERVICE,
    FROM_RESOURCE_NAME,
    GROW_ONLY,
    INTERNAL,
    behind_fields,
    compared_fields,
    fields_with,
    replace_fields,
)
from .logs import setup_file_logging
from .registry import Declaration
from .unknowns import contains_unknown, normalize_unknowns
from .validation import Violation, parse

__all__ = ["PROVIDER_KEY", "DynamicProvider", "DynamicResource", "changed_fields"]


def changed_fields(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    fields: Sequence[str],
    *,
    filled: Collection[str] = (),
) -> list[str]:
    """The `fields` whose value differs between `olds` and `news` (an unknown new value counts as changed;
    an unset new value of a `filled` field, which the service fills in, does not)."""
    return [
        name
        for name in fields
        if contains_unknown(news.get(name))
        or (olds.get(name) != news.get(name) and not (name in filled and news.get(name) is None))
    ]


class DynamicProvider(dyn.ResourceProvider):
    """Base provider: subclasses set `declaration` and implement create/read/update/delete.

    What `check` validates, what `diff` compares and which changes replace all come from the declaration's
    model and its field roles (`provisioning.sdk.fields`). Instances hold no state when pickled
    (`__getstate__` is empty), so the serialized provider stays the same across runs and code edits
    (pulumi#12401); stack configuration arrives through `configure`."""

    declaration: ClassVar[Declaration]
    """The resource's declaration: its model, cross-field rules and outputs."""
    computed_from: ClassVar[frozenset[str] | None] = None
    """Inputs the computed values depend on (None: all); computed at preview once these are known."""
    serialize_as_secret_always: bool = False
    """Pulumi stores the serialized provider as a secret unless this is False; ours pickles to no state
    (`__getstate__`), so it holds nothing secret (pulumi still makes it one if it captured a secret)."""
    unique_within: ClassVar[tuple[str, ...] | None] = None
    """Fields within which the resource-name fields are unique (`("zone",)`); a replacement that keeps
    them all deletes first. None: names need not be unique."""

    def __init__(self) -> None:
        super().__init__()
        self._config: dyn.Config | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._config = None

    @property
    def args_model(self) -> type[BaseModel]:
        """The declaration's model."""
        return self.declaration.model

    # -- configuration ---------------------------------------------------------------------------------

    def configure(self, req: dyn.ConfigureRequest) -> None:
        """Keep the stack configuration; in the dynamic host, set up file logging and raise its workers."""
        self._config = req.config
        setup_file_logging()
        if in_dynamic_host():
            raise_host_workers()

    def stack_config(self, key: str) -> Any:
        """A stack config value by full key (`custom-cloud:apiKey`), or None (also before `configure`)."""
        return None if self._config is None else self._config.get(key)

    # -- hooks ------------------------------------------------------------------------------------------

    def config_failures(self) -> list[dyn.CheckFailure]:
        """Problems with the provider configuration, reported by `check` (e.g. a missing API key)."""
        return []

    def probe_failures(self) -> list[dyn.CheckFailure]:
        """Problems only the service can tell (a refused key, a wrong URL), asked once the inputs and the
        configuration pass their own rules: a broken input never costs a request."""
        return []

    def remote_violations(self, args: Any) -> list[Violation]:
        """Rules that need the service to decide (a server's zone against its subnet's), for fully known,
        valid `args`, once everything local passed."""
        return []

    def defaults(self, news: Mapping[str, Any]) -> dict[str, Any]:
        """Values the provider supplies for unset inputs before validation (e.g. a default region)."""
        return {}

    def default_origins(self) -> dict[str, str]:
        """Where each value of `defaults` comes from, in words, for messages that name it."""
        return {}

    def computed(self, args: Any) -> dict[str, Any]:
        """Derived inputs added by `check` (e.g. estimated cost), visible at preview."""
        return {}

    def live_outputs(self, olds: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The outputs of the existing resource whose recorded inputs are `olds`, as the service has them
        now, or None when they cannot be known (the base asks no service)."""
        return None

    def replaces(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: list[str]) -> list[str]:
        """Changed inputs that force replacement: every change of a replacing field, and grow-only
        numbers that shrink."""
        model = self.args_model
        found = [name for name in changed if name in replace_fields(model)]
        for name in set(fields_with(model, GROW_ONLY)) & set(changed):
            new, old = news.get(name), olds.get(name)
            if not isinstance(new, int | float) or not isinstance(old, int | float) or new < old:
                found.append(name)
        return found

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        """Whether a replacement keeps the names that must stay unique (then it must delete first)."""
        if self.unique_within is None:
            return False
        keys = (*fields_with(self.args_model, FROM_RESOURCE_NAME), *self.unique_within)
        return all(olds.get(key) == news.get(key) for key in keys)

    # -- provider methods ---------------------------------------------------------------------------------

    def input_fields(self) -> tuple[str, ...]:
        """Names of the compared inputs."""
        return compared_fields(self.args_model)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        """Validate `news` against the declaration: one `CheckFailure` per broken rule, in its words. The
        configuration's own rules come first; the service is asked (a probe, remote rules) only once every
        local rule passed and every value is known."""
        news = normalize_unknowns(news)
        defaulted = {k: v for k, v in self.defaults(news).items() if news.get(k) is None}
        news.update(defaulted)
        data = self.declaration.settable(news)
        unknown = {k for k, v in data.items() if contains_unknown(v)}
        known = {k: v for k, v in data.items() if k not in unknown}
        found = [self._explained(v, news, defaulted) for v in self.declaration.check(known, unknown=unknown)]
        args = None if found else self._parsed(known)
        inputs = self._completed(news, args, data, unknown)
        failures = self.config_failures() + [dyn.CheckFailure(v.field, v.rule) for v in found]
        if not failures:
            failures = self.probe_failures()
        if not failures and args is not None and not unknown:
            failures = [dyn.CheckFailure(v.field, v.rule) for v in self.remote_violations(args)]
        if not failures and _olds:
            inputs.update(self._kept_outputs(_olds, inputs))
        return dyn.CheckResult(inputs, failures)

    def _kept_outputs(self, olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        """For a change made in place: the outputs it keeps (every declared output, and the unset inputs
        the service fills in), from `live_outputs`. The engine previews an update's outputs as its checked
        inputs, so these stay known at preview instead of `[unknown]`; nothing for a replacement or for no
        change (the engine keeps the old outputs then)."""
        filled = fields_with(self.args_model, FILLED_BY_SERVICE)
        changed = changed_fields(olds, inputs, self.input_fields(), filled=filled)
        if not changed or self.replaces(olds, inputs, changed):
            return {}
        kept = [*self.declaration.output_names, *(name for name in filled if inputs.get(name) is None)]
        live = self.live_outputs(olds) or {}
        return {name: live[name] for name in kept if live.get(name) is not None}

    def _parsed(self, known: Mapping[str, Any]) -> Any:
        """The model of `known`, or None while unknown values leave required fields out."""
        try:
            return self.args_model.model_validate(dict(known))
        except ValidationError:
            return None

    def _completed(
        self, news: Mapping[str, Any], args: Any, data: Mapping[str, Any], unknown: set[str]
    ) -> dict[str, Any]:
        """The inputs to record: as validated (defaults filled, computed values added once what they depend
        on is known), unknown values kept as they came, None outside the model dropped."""
        model = self.args_model
        inputs: dict[str, Any] = dict(news)
        if args is not None:
            inputs.update(args.model_dump(mode="json", exclude=set(fields_with(model, COMPUTED))))
            needed = set(model.model_fields) if self.computed_from is None else set(self.computed_from)
            if not (unknown & needed):
                inputs.update(self.computed(args))
        else:
            for name, info in model.model_fields.items():
                if name not in data and not info.is_required():
                    inputs[name] = info.get_default(call_default_factory=True)
        inputs.update({k: data[k] for k in unknown})
        return {k: v for k, v in inputs.items() if v is not None or k in model.model_fields}

    def _explained(
        self, violation: Violation, news: Mapping[str, Any], defaulted: Mapping[str, Any]
    ) -> Violation:
        """A broken rule says where a value it names came from: the resource name (and how to set it), or
        the provider's defaults (e.g. `region ... is the provider's region, from the stack config ...`)."""
        scope = str(news.get("idempotency_scope") or "")
        rule = violation.rule
        if violation.field in fields_with(self.args_model, FROM_RESOURCE_NAME) and scope.endswith(
            f"/{violation.value}"
        ):
            rule += f" (it comes from the resource name; pass {violation.field}=... to choose another)"
        origins = self.default_origins()
        for name, value in defaulted.items():
            if name in origins and repr(value) in rule:
                rule += f" ({name} {value!r} is {origins[name]}; pass {name}=... to choose another)"
        return violation if rule == violation.rule else Violation(violation.field, violation.value, rule)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        """Compare declared inputs only (never `__provider`): in place unless `replaces` says otherwise."""
        filled = fields_with(self.args_model, FILLED_BY_SERVICE)
        changed = changed_fields(olds, normalize_unknowns(news), self.input_fields(), filled=filled)
        computed = [k for k in fields_with(self.args_model, COMPUTED) if olds.get(k) != news.get(k)]
        record_diff_keys([*changed, *computed] if changed else [])  # what the engine shows as changed
        if not changed:
            return dyn.DiffResult(changes=False)
        replaces = self.replaces(olds, news, changed)
        stables = [name for name in self.input_fields() if name not in changed]
        return dyn.DiffResult(
            changes=True,
            replaces=replaces,
            stables=stables,
            delete_before_replace=bool(replaces) and self.delete_before_replace(olds, news),
        )

    def inputs_of(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The declared inputs (computed included) from a property bag."""
        return {k: props[k] for k in self.args_model.model_fields if k in props}

    def parse(self, props: Mapping[str, Any]) -> Any:
        """The declared inputs of `props` as a model (`ConfigError` naming the first broken rule)."""
        return parse(self.args_model, self.declaration.settable(props))


class _BootstrapProvider(dyn.ResourceProvider):
    """Loads the resource modules into the host before an import's Read (so their providers are known)."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        super().__init__()
        self.modules = modules

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        from importlib import import_module

        for module in self.modules:
            import_module(module)
        return dyn.CheckResult(news, [])

    def create(self, props: dict[str, Any]) -> dyn.CreateResult:
        return dyn.CreateResult("host-bootstrap", {})


class HostBootstrap(dyn.Resource, module="provisioning", name="HostBootstrap"):
    """A no-op resource that resources adopted with `import_` depend on (pulumi#16175 workaround)."""

    def __init__(self, name: str) -> None:
        with pickler_restored():
            modules = tuple(sorted(_RESOURCE_MODULES))
            super().__init__(_BootstrapProvider(modules), name, {})


_bootstrap: dict[str, HostBootstrap] = {}
_RESOURCE_MODULES: set[str] = set()
"""Modules that define declared resources: an import's host loads them so their providers are known."""


def _host_bootstrap() -> HostBootstrap:
    key = f"{pulumi.get_project()}/{pulumi.get_stack()}"
    if key not in _bootstrap:
        _bootstrap[key] = HostBootstrap("provisioning-host-bootstrap")
    return _bootstrap[key]


class DynamicResource(dyn.Resource):
    """Base resource whose inputs and outputs come from its provider's declaration.

    Subclasses name only their provider: `class Server(DynamicResource, provider=ServerProvider)`; the type
    token (`custom-cloud:Server`), the accepted arguments and the outputs follow from the declaration.
    Also: marks secret outputs, serializes the provider safely, and supports `import_` (pulumi#16175)."""

    declaration: ClassVar[Declaration]
    """The resource's declaration (from its provider)."""
    provider_type: ClassVar[type[DynamicProvider]]
    """The provider class (registered so that an import's Read can get one: pulumi#16175)."""
    secret_output_names: ClassVar[tuple[str, ...]] = ()
    """Outputs stored encrypted in the state (pulumi#3012)."""

    def __init_subclass__(cls, *, provider: type[DynamicProvider] | None = None, **kwargs: Any) -> None:
        if provider is None:
            super().__init_subclass__(**kwargs)
            return
        cls.provider_type = provider
        cls.declaration = provider.declaration
        module, _, name = provider.declaration.type_token.rpartition(":")
        super().__init_subclass__(module=module, name=name, **kwargs)
        PROVIDERS_BY_TYPE[cls._resource_type_name] = provider
        _RESOURCE_MODULES.add(cls.__module__)

    def __init__(
        self,
        resource_name: str,
        args: Mapping[str, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        values = {**(args or {}), **kwargs}
        model = self.declaration.model
        accepted = set(model.model_fields) - set(fields_with(model, COMPUTED, INTERNAL))
        unknown = sorted(set(values) - accepted)
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unknown argument(s) {', '.join(unknown)}; "
                f"it takes: {', '.join(sorted(accepted))}"
            )
        for field in fields_with(model, FROM_RESOURCE_NAME):
            if values.get(field) is None:
                values[field] = resource_name
        values.update(self.internal_inputs(resource_name))
        for field, behind in behind_fields(model).items():
            values[field] = _value_behind(values.get(behind.reference), behind.field)
        props: dict[str, Any] = dict.fromkeys((*model.model_fields, *self.declaration.output_names))
        props.update({key: value for key, value in values.items() if value is not None})
        if self.secret_output_names:
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=list(self.secret_output_names))
            )
        if opts is not None and opts.import_:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[_host_bootstrap()]))
        self.declared_inputs: Mapping[str, Any] = values
        """The inputs as the program gave them (resources whose references point here read them)."""
        with pickler_restored():
            super().__init__(self.provider_type(), resource_name, props, opts)
        if COST_OUTPUT in model.model_fields:
            track_cost(getattr(self, COST_OUTPUT), self.declaration.type_token)

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],  # noqa: A002 (Pulumi's `get` signature)
        opts: pulumi.ResourceOptions | None = None,
    ) -> Self:
        """Adopt an existing resource read-only: the engine reads it by `id` through the provider's `read`
        (on every `up` and `refresh`); this stack never creates, updates or deletes it."""
        resource = cls.__new__(cls)
        props: dict[str, Any] = dict.fromkeys(
            (*cls.declaration.model.model_fields, *cls.declaration.output_names)
        )
        options = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        if cls.secret_output_names:
            secret = pulumi.ResourceOptions(additional_secret_outputs=list(cls.secret_output_names))
            options = pulumi.ResourceOptions.merge(options, secret)
        with pickler_restored():
            dyn.Resource.__init__(resource, cls.provider_type(), resource_name, props, options)
        return resource

    def internal_inputs(self, resource_name: str) -> dict[str, Any]:
        """Inputs the resource sets itself: `idempotency_scope` (project/stack/type/name), if declared."""
        if "idempotency_scope" not in fields_with(self.declaration.model, INTERNAL):
            return {}
        token = self.declaration.type_token
        return {"idempotency_scope": f"{pulumi.get_project()}/{pulumi.get_stack()}/{token}/{resource_name}"}


def _value_behind(reference: Any, field: str) -> pulumi.Output[Any] | None:
    """`field` of the program's resource whose output `reference` is (`network.id` → that network's
    `field`), or None when `reference` is a plain value or comes from no such resource."""
    if not isinstance(reference, pulumi.Output):
        return None
    output: pulumi.Output[Any] = reference

    async def source() -> Any:
        for resource in await output.resources():
            if isinstance(resource, DynamicResource) and field in resource.declaration.model.model_fields:
                return resource
        return None

    def value(found: Any) -> Any:
        # the program's own input, when it gave one: known at preview even while the engine marks the
        # outputs of a resource being updated or replaced unknown
        declared = None if found is None else found.declared_inputs.get(field)
        return declared if declared is not None else getattr(found, field, None)

    return pulumi.Output.from_input(source()).apply(value)


if in_dynamic_host():
    install_read_fallback()
    install_create_urn()
    install_provider_in_outputs_only()
else:
    install_user_frames()
    install_async_debug_log()
    install_cancel_exit()
