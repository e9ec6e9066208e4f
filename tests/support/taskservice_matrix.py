"""The task-service change matrix, derived from each service's declaration: one row per field a user can
set (nested sections walked, lists taken whole), in the order the model declares them but with each section
switched off only after the rest (so no field is changed while its section is off), each with a new
value the field's own rules accept in the config as it stands after the rows before it. Pure data (no
engine, no Pulumi); `tests/e2e/test_taskservice_matrix.py` applies the rows to deployed services.

Nothing here names a field: a field added to a declaration gets a row, its new value from its type, its
bounds, its catalog and its rules (a candidate is kept only when the whole config still validates). A field
for which no candidate validates gets a row with a `problem` that names it, so its test fails."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field as dataclass_field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from provisioning.components.taskservs.custom_database.spec import CUSTOM_DATABASE
from provisioning.components.taskservs.haproxy.spec import HAPROXY
from provisioning.components.taskservs.mariadb.spec import MARIADB
from provisioning.components.taskservs.postgresql.spec import POSTGRESQL
from provisioning.components.taskservs.prometheus.spec import PROMETHEUS
from provisioning.components.taskservs.webapp.spec import WEBAPP
from provisioning.sdk.fields import FROM_RESOURCE_NAME, has_role
from provisioning.sdk.registry import Declaration

from .change_matrix import _bounds, _catalog, _core
from .field_paths import bumped, get_path, leaves, set_path, switch_off_last

__all__ = ["SERVICES", "Row", "all_rows", "get_path", "leaves", "rows", "set_path"]

_RELEASE = re.compile(r"[0-9]+(\.[0-9]+)+")
"""A release written with a minor (`2.6`, `10.11`)."""
_PLAIN = ("matrix", "127.0.0.1:9100", "up == 0")
"""Plain strings tried for a field with no value yet: a name, a host:port, an expression."""


SERVICES: dict[str, tuple[Declaration, dict[str, Any]]] = {
    "haproxy": (
        HAPROXY,
        {
            "name": "svc",
            "backends": [{"name": "web", "address": "127.0.0.1", "port": 8080}],
            "check_interval": "1s",
        },
    ),
    "prometheus": (
        PROMETHEUS,
        {"name": "svc", "version": "2.42", "scrape_interval": "2s", "retention": "1d"},
    ),
    "custom_database": (CUSTOM_DATABASE, {"name": "svc", "backup": {"enabled": False}}),
    "postgresql": (POSTGRESQL, {"name": "svc"}),
    "mariadb": (MARIADB, {"name": "svc"}),
    "webapp": (WEBAPP, {"name": "svc", "database": {"host": "127.0.0.1"}}),
}
"""The services in the matrix: each one's declaration and the config it is deployed with first (a name, what
it cannot run without: HAProxy a backend, WebApp a database; Prometheus asks for its release line, so that
a change can relax it)."""


@dataclass(frozen=True)
class Row:
    """One field of one service changed: `value` is the new value (None when `problem` says why there is
    none)."""

    service: str
    field: str
    value: Any
    problem: str | None = None
    partners: dict[str, Any] = dataclass_field(default_factory=dict)
    """Fields the declaration's rules make change with this one (`ssl.key_file` with `ssl.cert_file`)."""

    @property
    def id(self) -> str:
        return f"{self.service}-{self.field}"


def rows(service: str, declaration: Declaration, base: Mapping[str, Any]) -> list[Row]:
    """The rows of `service`, each changing one field of the config as the rows before it left it."""
    found: list[Row] = []
    current = dict(base)
    model = declaration.model
    full = model.model_validate(current).model_dump(mode="json")
    fields = dict(leaves(model))
    for path in switch_off_last(list(fields), full):
        info = fields[path]
        value = get_path(current, path) if get_path(current, path) is not None else get_path(full, path)
        tried = (
            _with_partners(declaration, fields, set_path(current, path, c))
            for c in _candidates(info, value, path)
            if c != value
        )
        changed = next((data for data in tried if data is not None), None)
        if changed is None:
            found.append(Row(service, path, None, f"no value derived for {service}.{path} (now {value!r})"))
            continue
        found.append(
            Row(service, path, get_path(changed, path), partners=_differing(fields, current, changed, path))
        )
        current = changed
    return found


def _with_partners(
    declaration: Declaration, fields: Mapping[str, FieldInfo], data: dict[str, Any]
) -> dict[str, Any] | None:
    """`data` if the declaration's rules accept it; else, when the rules name other fields that must change
    with it (`cert_file` and `key_file` given together), `data` with those set to their first candidate
    the rules accept; None when nothing does."""
    found = declaration.check(data)
    if not found:
        return data
    for violation in found:
        partner = violation.field
        if partner not in fields or get_path(data, partner) is not None:
            continue
        for candidate in _candidates(fields[partner], None, partner):
            joined = set_path(data, partner, candidate)
            if not declaration.check(joined):
                return joined
    return None


def _differing(
    fields: Mapping[str, FieldInfo], before: Mapping[str, Any], after: Mapping[str, Any], own: str
) -> dict[str, Any]:
    """The other fields a row changes with its own (its partners), with their new values."""
    return {p: get_path(after, p) for p in fields if p != own and get_path(after, p) != get_path(before, p)}


def _candidates(info: FieldInfo, value: Any, path: str) -> Iterator[Any]:
    """New values to try for the field at `path`, now holding `value`, the likeliest first."""
    known = _catalog(info)
    if known is not None:
        yield from (k for k in known if k != value)
        return
    core = _core(info.annotation)
    if has_role(info, FROM_RESOURCE_NAME) and isinstance(value, str):
        yield f"{value}-2"
    if core is bool:
        yield not value
    elif core in (int, float):
        low, high = _bounds(info)
        # no value yet: an unprivileged number first (a port given where a default stood)
        for candidate in (value + 1, value * 2, value - 1) if value is not None else (1025, 1, 2):
            if (low is None or candidate >= low) and (high is None or candidate <= high):
                yield core(candidate)
    elif core is str:
        yield from _strings(value, path.rsplit(".", 1)[-1])
    elif typing.get_origin(core) is list:
        yield from _longer(typing.get_args(core)[0], value or [])


def _strings(value: str | None, name: str) -> Iterator[str]:
    if value is None:  # a file or URL path named after the field, or a plain value
        yield from (f"/var/lib/matrix/{name}", f"/{name.replace('_', '-')}", *_PLAIN)
        return
    if _RELEASE.fullmatch(value):
        yield value.rsplit(".", 1)[0]  # a release line relaxed to the one above it: 2.6 -> 2
    if (more := bumped(value)) is not None:
        yield more
    yield f"{value}2"
    yield f"{value}-2"


def _longer(item_type: Any, items: list[Any]) -> Iterator[list[Any]]:
    """The list with one item more: a model's item with every required field filled, or a plain string."""
    core = _core(item_type)
    if isinstance(core, type) and issubclass(core, BaseModel):
        yield [*items, _item(core)]
    else:
        yield from ([*items, plain] for plain in ("matrix.example", "127.0.0.1", *_PLAIN))


def _item(model: type[BaseModel]) -> dict[str, Any]:
    """An item of `model` with each required field set to the first plain value its rules accept (numbers
    within bounds, lists of one)."""
    required = {name: info for name, info in model.model_fields.items() if info.is_required()}
    item: dict[str, Any] = {}
    for name, info in required.items():
        core = _core(info.annotation)
        low, _high = _bounds(info)
        if core in (int, float):
            item[name] = core(max(low or 0, 8080))
            continue
        options = [[plain] if typing.get_origin(core) is list else plain for plain in _PLAIN]
        item[name] = next((o for o in options if not _rejects(model, {**item, name: o}, name)), options[0])
    return item


def _rejects(model: type[BaseModel], item: dict[str, Any], name: str) -> bool:
    """Whether `model`'s rules reject `item`'s field `name` (other fields' errors aside)."""
    try:
        model.model_validate(item)
    except ValidationError as exc:
        return any(error["loc"] and error["loc"][0] == name for error in exc.errors())
    return False


def all_rows() -> list[Row]:
    """Every service's rows, service by service."""
    return [
        row for service, (declaration, base) in SERVICES.items() for row in rows(service, declaration, base)
    ]
