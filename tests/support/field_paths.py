"""Fields of a declaration's model as dotted paths, and reading and writing them in a plain config: what the
derived change matrices (task services, the WebStack) walk. Pure data; imports no Pulumi."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .change_matrix import _core

__all__ = ["bumped", "get_path", "leaves", "set_path", "switch_off_last"]

_LAST_NUMBER = re.compile(r"[0-9]+(?!.*[0-9])")


def leaves(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, FieldInfo]]:
    """Every settable field of `model` as a dotted path, in declaration order, sections walked (a list is
    one field)."""
    for name, info in model.model_fields.items():
        core = _core(info.annotation)
        if isinstance(core, type) and issubclass(core, BaseModel):
            yield from leaves(core, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", info


def get_path(data: Mapping[str, Any], path: str) -> Any:
    """The value at dotted `path` of `data` (None when a part is missing)."""
    found: Any = data
    for part in path.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return None
        found = found[part]
    return found


def set_path(data: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with `path` set to `value` (sections made as needed)."""
    head, _, rest = path.partition(".")
    copy = dict(data)
    copy[head] = set_path(dict(copy.get(head) or {}), rest, value) if rest else value
    return copy


def bumped(text: str) -> str | None:
    """`text` with its last number one higher (`30d` -> `31d`, `512MB` -> `513MB`); None without one."""
    number = _LAST_NUMBER.search(text)
    if number is None:
        return None
    return text[: number.start()] + str(int(number.group()) + 1) + text[number.end() :]


def switch_off_last(paths: list[str], config: Mapping[str, Any]) -> list[str]:
    """`paths` with each section switch that is on in `config` (`<section>.enabled`, True) moved after all
    the others, in their order."""

    def turned_off(path: str) -> bool:
        return path.rpartition(".")[2] == "enabled" and get_path(config, path) is True

    return [p for p in paths if not turned_off(p)] + [p for p in paths if turned_off(p)]
