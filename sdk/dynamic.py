"""The dynamic-provider base every provider builds on: pydantic `check`, generic `diff`, stable pickling,
configuration through `configure`, and a resource base with the pickle and secret-output workarounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import pulumi
import pulumi.dynamic as dyn
from pydantic import BaseModel, ValidationError

from .host import (
    PROVIDERS_BY_TYPE,
    in_dynamic_host,
    install_create_urn,
    install_read_fallback,
    raise_host_workers,
)
from .logs import setup_file_logging
from .pickling import pickler_restored
from .unknowns import contains_unknown, normalize_unknowns
from .validation import Violation, violations

__all__ = ["PROVIDER_KEY", "DynamicProvider", "DynamicResource", "changed_fields"]

PROVIDER_KEY = "__provider"
"""The input under which pulumi stores the serialized provider."""


def changed_fields(olds: Mapping[str, Any], news: Mapping[str, Any], fields: Sequence[str]) -> list[str]:
    """The `fields` whose value differs between `olds` and `news` (an unknown new value counts as changed)."""
    return [name for name in fields if contains_unknown(news.get(name)) or olds.get(name) != news.get(name)]


class DynamicProvider(dyn.ResourceProvider):
    """Base provider: subclasses set `args_model` and the field sets, and implement create/read/update/delete.

    Instances hold no state when pickled (`__getstate__` is empty), so the serialized provider stays the
    same across runs and code edits (pulumi#12401); stack configuration arrives through `configure`."""

    args_model: ClassVar[type[BaseModel]]
    """The pydantic schema of the resource's inputs."""
    replace_fields: ClassVar[frozenset[str]] = frozenset()
    """Inputs whose change needs a new resource."""
    computed_fields: ClassVar[frozenset[str]] = frozenset()
    """Inputs derived by `check` (cost, scopes): never compared by `diff`."""
    computed_from: ClassVar[frozenset[str] | None] = None
    """Inputs the computed values depend on (None: all); computed at preview once these are known."""
    check_only_fields: ClassVar[frozenset[str]] = frozenset()
    """Inputs that only steer validation (e.g. the region a zone must be in): never compared by `diff`."""

    def __init__(self) -> None:
        super().__init__()
        self._config: dyn.Config | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._config = None

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

    def extra_violations(self, args: BaseModel) -> list[Violation]:
        """Rules beyond the schema (e.g. catalog lookups) for valid `args`."""
        return []

    def computed(self, args: BaseModel) -> dict[str, Any]:
        """Derived inputs added by `check` (e.g. estimated cost), visible at preview."""
        return {}

    def replaces(self, olds: Mapping[str, Any], news: Mapping[str, Any], changed: list[str]) -> list[str]:
        """Changed inputs that force replacement; default: those in `replace_fields`."""
        return [name for name in changed if name in self.replace_fields]

    def delete_before_replace(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        """Whether a replacement must delete first (names that must stay unique)."""
        return False

    # -- provider methods ---------------------------------------------------------------------------------

    def input_fields(self) -> list[str]:
        """Names of the compared inputs (schema fields minus computed ones)."""
        skip = self.computed_fields | self.check_only_fields
        return [name for name in self.args_model.model_fields if name not in skip]

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> dyn.CheckResult:
        """Validate `news` with `args_model`: one `CheckFailure` per broken rule, in the schema's words."""
        fields = self.args_model.model_fields
        news = normalize_unknowns(news)
        data = {
            k: v for k, v in news.items() if k in fields and k not in self.computed_fields and v is not None
        }
        unknown = {k for k, v in data.items() if contains_unknown(v)}
        known = {k: v for k, v in data.items() if k not in unknown}
        failures = list(self.config_failures())
        found = [v for v in violations(self.args_model, known) if v.field.split(".")[0] not in unknown]
        inputs: dict[str, Any] = dict(news)
        if not found:
            try:
                args = self.args_model.model_validate(known)
            except ValidationError:
                args = None  # only unknown values are missing: keep the inputs as given
            if args is not None:
                found = self.extra_violations(args)
                inputs.update(args.model_dump(mode="json", exclude=set(self.computed_fields)))
                needed = set(fields) if self.computed_from is None else set(self.computed_from)
                if not found and not (unknown & needed):
                    inputs.update(self.computed(args))
            else:
                for name, info in fields.items():
                    if name not in data and not info.is_required():
                        inputs[name] = info.get_default(call_default_factory=True)
        inputs.update({k: data[k] for k in unknown})
        failures += [dyn.CheckFailure(v.field, v.rule) for v in found]
        for name in list(inputs):
            if inputs[name] is None and name not in fields:
                del inputs[name]
        return dyn.CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> dyn.DiffResult:
        """Compare schema inputs only (never `__provider`): in place unless `replaces` says otherwise."""
        changed = changed_fields(olds, normalize_unknowns(news), self.input_fields())
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
        """The schema inputs (computed included) from a property bag."""
        return {k: props[k] for k in self.args_model.model_fields if k in props}


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
            modules = tuple(sorted({factory.__module__ for factory in PROVIDERS_BY_TYPE.values()}))
            super().__init__(_BootstrapProvider(modules), name, {})


_bootstrap: dict[str, HostBootstrap] = {}


def _host_bootstrap() -> HostBootstrap:
    key = f"{pulumi.get_project()}/{pulumi.get_stack()}"
    if key not in _bootstrap:
        _bootstrap[key] = HostBootstrap("provisioning-host-bootstrap")
    return _bootstrap[key]


class DynamicResource(dyn.Resource):
    """Base resource: declares outputs, marks secret outputs, and serializes its provider safely.

    Subclasses: `class Server(DynamicResource, module="custom-cloud", name="Server")`."""

    output_names: ClassVar[tuple[str, ...]] = ()
    """Outputs the provider fills in (declared as None inputs so they become attributes)."""
    provider_type: ClassVar[type[dyn.ResourceProvider] | None] = None
    """The provider class (registered so that an import's Read can get one: pulumi#16175)."""
    secret_output_names: ClassVar[tuple[str, ...]] = ()
    """Outputs stored encrypted in the state (pulumi#3012)."""

    def __init__(
        self,
        provider: dyn.ResourceProvider,
        name: str,
        inputs: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {key: None for key in self.output_names}
        props.update({key: value for key, value in inputs.items() if value is not None})
        if self.secret_output_names:
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=list(self.secret_output_names))
            )
        if opts is not None and opts.import_:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[_host_bootstrap()]))
        with pickler_restored():
            super().__init__(provider, name, props, opts)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        provider_type = getattr(cls, "provider_type", None)
        if provider_type is not None:
            PROVIDERS_BY_TYPE[cls._resource_type_name] = provider_type


if in_dynamic_host():
    install_read_fallback()
    install_create_urn()
