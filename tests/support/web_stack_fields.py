"""The WebStack field rows, derived from `WebStackConfig`: one row per field a user can set (sections walked,
a list is one field), each with a new value that the declaration (its fields, its cross-field rules and the
rules of the configs derived from it) accepts in the config as the rows before it left it. Pure data (no
engine, no Pulumi); `tests/e2e/test_web_stack_fields.py` applies the rows to one deployed stack.

Nothing here names a field to make its row: a field added to `WebStackConfig` gets a row, its new value from
its type, bounds, catalog and rules (bools flip, numbers step, strings bump their last number, ranges move
inside the range that holds them, a catalog gives the nearest other value). Only the order is steered by a
rule: a switch that the row turns off (`<section>.enabled` → False) comes after every other field: first, it
would leave its section's fields nothing to change and the others less to test (no load balancer). A field
for which no candidate validates gets a row with a `problem` naming it, so its test fails. A `Fixed`
field's row holds what its change would replace (the change is refused), a `Costly` field's what it costs;
the config after a refused row is the one before it."""

from __future__ import annotations

import ipaddress
import typing
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from provisioning.components.clusters.web_stack.blueprint import derived_violations
from provisioning.components.clusters.web_stack.spec import WEB_STACK, WebStackConfig
from provisioning.sdk.cluster.settings import Costly, Fixed

from .change_matrix import _bounds, _catalog, _core, _looks_cidr
from .field_paths import bumped, get_path, leaves, set_path, switch_off_last

__all__ = ["FieldRow", "get_path", "leaves", "rows", "set_path", "switch_off_last"]


@dataclass(frozen=True)
class FieldRow:
    """One field changed on the stack as the rows before left it."""

    path: str
    """The field, dotted (`web_tier.replicas`)."""
    before: Any
    """Its value before the change."""
    after: Any
    """Its new value (None when `problem` says why there is none)."""
    config: dict[str, Any]
    """The whole config with the change made."""
    fixed: str | None = None
    """For a `Fixed` field: what a change would replace (a deployed stack refuses it)."""
    costly: str | None = None
    """For a `Costly` field: what a change costs (the preview warns)."""
    problem: str | None = None
    """Why no new value could be derived."""
    back: bool = False
    """A switch turned back the way it was deployed, after every other row."""

    @property
    def id(self) -> str:
        """The row's test id: the field, with `-back` for a switch turned back."""
        return f"{self.path}-back" if self.back else self.path


def rows(
    base: Mapping[str, Any], *, elsewhere: Collection[str] = (), model: type[BaseModel] = WebStackConfig
) -> list[FieldRow]:
    """The rows for a stack deployed with `base`, each changing one field of the config as the rows before
    it left it (a refused row, or one of the fields `elsewhere` tested, leaves it as it was)."""
    fields = dict(leaves(model))
    full = model.model_validate(dict(base)).model_dump(mode="json")
    current = dict(base)
    found: list[FieldRow] = []
    for path in switch_off_last(list(fields), full):
        info = fields[path]
        value = _value(model, current, path)
        fixed = next((m.loses for m in info.metadata if isinstance(m, Fixed)), None)
        costly = next((m.costs for m in info.metadata if isinstance(m, Costly)), None)
        changed = next((c for c in _candidates(model, current, path, info, value) if _valid(model, c)), None)
        if changed is None:
            problem = (
                f"no new value derived for {path} (now {value!r}): teach tests/support/web_stack_fields.py"
            )
            found.append(FieldRow(path, value, None, dict(current), fixed, costly, problem))
            continue
        found.append(FieldRow(path, value, _value(model, changed, path), changed, fixed, costly))
        if fixed is None and path not in elsewhere:
            current = changed
    return found + _switched_back(model, found, current, elsewhere)


def _switched_back(
    model: type[BaseModel], found: list[FieldRow], current: dict[str, Any], elsewhere: Collection[str]
) -> list[FieldRow]:
    """Every switch the rows turned, turned back in reverse order (a switch is changed both ways)."""
    back: list[FieldRow] = []
    turned = [r for r in found if isinstance(r.before, bool) and r.fixed is None and r.problem is None]
    for row in reversed([r for r in turned if r.path not in elsewhere]):
        changed = set_path(current, row.path, row.before)
        problem = None if _valid(model, changed) else f"{row.path} cannot be turned back to {row.before!r}"
        back.append(FieldRow(row.path, row.after, row.before, changed, None, row.costly, problem, back=True))
        current = changed if problem is None else current
    return back


def _value(model: type[BaseModel], config: Mapping[str, Any], path: str) -> Any:
    return get_path(model.model_validate(dict(config)).model_dump(mode="json"), path)


def _valid(model: type[BaseModel], config: Mapping[str, Any]) -> bool:
    """`config` passes the declaration's field and cross-field rules (and, for the WebStack, the rules of
    the configs derived from it)."""
    if model is not WEB_STACK.model:
        try:
            model.model_validate(dict(config))
        except ValidationError:
            return False
        return True
    return not WEB_STACK.check(config) and not derived_violations(WebStackConfig.model_validate(config))


def _candidates(
    model: type[BaseModel], config: Mapping[str, Any], path: str, info: FieldInfo, value: Any
) -> Iterator[dict[str, Any]]:
    """Configs with `path` changed, the likeliest first."""
    full = model.model_validate(dict(config)).model_dump(mode="json")
    if isinstance(value, str) and _looks_cidr(value):
        yield from _moved_range(config, full, path, value)
        return
    for new in _new_values(info, value, full, path):
        if new != value:
            yield set_path(config, path, new)


def _new_values(info: FieldInfo, value: Any, config: Mapping[str, Any], path: str) -> Iterator[Any]:
    known = _catalog(info)
    if known is not None:
        yield from _nearest(known, value)
        return
    core = _core(info.annotation)
    if core is bool:
        yield not value
    elif core in (int, float):
        low, high = _bounds(info)
        for candidate in (value + 1, value - 1, value * 2) if value else (1, 2):
            if (low is None or candidate >= low) and (high is None or candidate <= high):
                yield core(candidate)
    elif core is str:
        if value and (more := bumped(value)) is not None:
            yield more
        yield f"{value}-2"
        yield f"{value}2"
    elif typing.get_origin(core) is list and value:
        yield from _list_values(typing.get_args(core)[0], value, config, path)


def _nearest(known: tuple[str, ...], value: Any) -> list[str]:
    """The catalog's other values, nearest to `value` in the catalog's order first."""
    at = known.index(value) if value in known else 0
    return sorted((k for k in known if k != value), key=lambda k: (abs(known.index(k) - at), known.index(k)))


def _list_values(item: Any, value: list[Any], config: Mapping[str, Any], path: str) -> Iterator[list[Any]]:
    """The list with its last item changed: to another catalog value not in it, or (ranges) to a free range
    inside the range that holds it."""
    known = _catalog(FieldInfo.from_annotation(item))
    if known is not None:
        yield from ([*value[:-1], k] for k in _nearest(known, value[-1]) if k not in value)
    elif all(isinstance(v, str) and _looks_cidr(v) for v in value):
        yield from ([*value[:-1], free] for free in _free_ranges(config, path, value[-1]))


def _ranges(config: Mapping[str, Any], section: str) -> list[tuple[str, ipaddress.IPv4Network]]:
    """(field, range) of every range set in `section` of `config`, list items included."""
    found = []
    for name, held in (get_path(config, section) or {}).items():
        for item in held if isinstance(held, list) else [held]:
            if isinstance(item, str) and _looks_cidr(item):
                found.append((name, ipaddress.IPv4Network(item)))
    return found


def _free_ranges(config: Mapping[str, Any], path: str, value: str) -> Iterator[str]:
    """Ranges of `value`'s size inside the range of its section that holds it, overlapping none other."""
    section = path.rpartition(".")[0]
    mine = ipaddress.IPv4Network(value)
    ranges = _ranges(config, section)
    parents = [r for _, r in ranges if r != mine and mine.subnet_of(r) and r.prefixlen < mine.prefixlen]
    for parent in parents[:1]:
        others = [r for _, r in ranges if r != parent]
        for candidate in parent.subnets(new_prefix=mine.prefixlen):
            if not any(candidate.overlaps(o) for o in others):
                yield str(candidate)


def _moved_range(
    config: Mapping[str, Any], full: Mapping[str, Any], path: str, value: str
) -> Iterator[dict[str, Any]]:
    """`config` with the range at `path` moved to the next one of its size, every range of its section
    (as `full`, the config with its defaults, holds it) inside it moving along (a subnet keeps its place in
    its network)."""
    old = ipaddress.IPv4Network(value)
    new = ipaddress.IPv4Network((int(old.network_address) + old.num_addresses, old.prefixlen))
    section, _, _name = path.rpartition(".")

    def moved(item: Any) -> Any:
        if not (isinstance(item, str) and _looks_cidr(item)):
            return item
        inner = ipaddress.IPv4Network(item)
        if not inner.subnet_of(old):
            return item
        offset = int(inner.network_address) - int(old.network_address)
        return str(ipaddress.IPv4Network((int(new.network_address) + offset, inner.prefixlen)))

    held = dict(get_path(full, section) if section else full)
    changed = {k: ([moved(i) for i in v] if isinstance(v, list) else moved(v)) for k, v in held.items()}
    yield set_path(config, section, changed) if section else changed
