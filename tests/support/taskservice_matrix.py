"""The task-service change matrix, derived from each service's declaration: one row per field a user can
set (nested sections walked, lists taken whole), in the order the model declares them, each with a new
value the field's own rules accept in the config as it stands after the rows before it. Pure data (no
engine, no Pulumi); `tests/e2e/test_taskservice_matrix.py` applies the rows to deployed services.

Nothing here names a field: a field added to a declaration gets a row, its new value from its type, its
bounds, its catalog and its rules (a candidate is kept only when the whole config still validates). A field
for which no candidate validates gets a row with a `problem` that names it, so its test fails."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from provisioning.components.taskservs.custom_database.spec import CustomDatabaseConfig
from provisioning.components.taskservs.haproxy.spec import HAProxyConfig
from provisioning.components.taskservs.mariadb.spec import MariaDBConfig
from provisioning.components.taskservs.postgresql.spec import PostgreSQLConfig
from provisioning.components.taskservs.prometheus.spec import PrometheusConfig
from provisioning.sdk.fields import FROM_RESOURCE_NAME, has_role

from .change_matrix import _bounds, _catalog, _core

__all__ = ["SERVICES", "Row", "all_rows", "get_path", "leaves", "rows", "set_path"]

_NUMBER = re.compile(r"[0-9]+(?!.*[0-9])")
"""The last number in a string (`30d`, `512MB`, `0 2 * * *`)."""
_PLAIN = ("matrix", "127.0.0.1:9100", "up == 0")
"""Plain strings tried for a field with no value yet: a name, a host:port, an expression."""


SERVICES: dict[str, tuple[type[BaseModel], dict[str, Any]]] = {
    "haproxy": (
        HAProxyConfig,
        {
            "name": "svc",
            "backends": [{"name": "web", "address": "127.0.0.1", "port": 8080}],
            "check_interval": "1s",
        },
    ),
    "prometheus": (PrometheusConfig, {"name": "svc", "scrape_interval": "2s", "retention": "1d"}),
    "custom_database": (CustomDatabaseConfig, {"name": "svc", "backup": {"enabled": False}}),
    "postgresql": (PostgreSQLConfig, {"name": "svc"}),
    "mariadb": (MariaDBConfig, {"name": "svc"}),
}
"""The services in the matrix: each one's declaration (its config model) and the config it is deployed with
first (a name, and what a service cannot run without: HAProxy a backend)."""


@dataclass(frozen=True)
class Row:
    """One field of one service changed: `value` is the new value (None when `problem` says why there is
    none)."""

    service: str
    field: str
    value: Any
    problem: str | None = None

    @property
    def id(self) -> str:
        return f"{self.service}-{self.field}"


def leaves(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every settable field of `model` as a dotted path, nested sections walked (a list is one field)."""
    for name, info in model.model_fields.items():
        core = _core(info.annotation)
        if isinstance(core, type) and issubclass(core, BaseModel):
            yield from leaves(core, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", info


def get_path(data: Mapping[str, Any], path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def set_path(data: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with `path` set to `value` (sections made as needed)."""
    head, _, rest = path.partition(".")
    copy = dict(data)
    copy[head] = set_path(dict(copy.get(head) or {}), rest, value) if rest else value
    return copy


def rows(service: str, model: type[BaseModel], base: Mapping[str, Any]) -> list[Row]:
    """The rows of `service`, each changing one field of the config as the rows before it left it."""
    found: list[Row] = []
    current = dict(base)
    full = model.model_validate(current).model_dump(mode="json")
    for path, info in leaves(model):
        value = get_path(current, path) if get_path(current, path) is not None else get_path(full, path)
        new = next(
            (c for c in _candidates(info, value) if c != value and _valid(model, set_path(current, path, c))),
            _NONE,
        )
        if new is _NONE:
            found.append(Row(service, path, None, f"no value derived for {service}.{path} (now {value!r})"))
            continue
        found.append(Row(service, path, new))
        current = set_path(current, path, new)
    return found


_NONE = object()


def _valid(model: type[BaseModel], data: Mapping[str, Any]) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


def _candidates(info: FieldInfo, value: Any) -> Iterator[Any]:
    """New values to try for a field now holding `value`, the likeliest first."""
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
        for candidate in (value + 1, value * 2, value - 1) if value else (1, 2):
            if (low is None or candidate >= low) and (high is None or candidate <= high):
                yield core(candidate)
    elif core is str:
        yield from _strings(value)
    elif typing.get_origin(core) is list:
        yield from _longer(typing.get_args(core)[0], value or [])


def _strings(value: str | None) -> Iterator[str]:
    if value is None:
        yield from ("/var/lib/matrix/changed", "/matrix", *_PLAIN)
        return
    number = _NUMBER.search(value)
    if number:
        yield value[: number.start()] + str(int(number.group()) + 1) + value[number.end() :]
    yield f"{value}2"
    yield f"{value}-2"


def _longer(item_type: Any, items: list[Any]) -> Iterator[list[Any]]:
    """The list with one item more: a model's item with every required field filled, or a plain string."""
    core = _core(item_type)
    if isinstance(core, type) and issubclass(core, BaseModel):
        yield [*items, _item(core)]
    else:
        yield from ([*items, plain] for plain in ("matrix.example", *_PLAIN))


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
    return [row for service, (model, base) in SERVICES.items() for row in rows(service, model, base)]
