"""Python source of the types the component provider host infers the package schema from, written from the
declarations: a TypedDict per config section, the component's args (its config's fields, then the arguments
beyond the config, copied from a hand-written TypedDict) and the component class with its outputs (copied
from the Python component's `pulumi.Output` attributes). Pulumi reads attribute docstrings from source, so
the docs travel as docstrings in this text. Imports no Pulumi."""

from __future__ import annotations

import ast
import inspect
import json
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from provisioning.sdk.fields import FROM_RESOURCE_NAME, fields_with
from provisioning.sdk.rules import InCatalog

__all__ = ["ComponentSource", "component_source", "output_names"]

_SCALARS: dict[type, str] = {str: "str", int: "int", float: "float", bool: "bool"}


@dataclass(frozen=True)
class ComponentSource:
    """What the package serves for one component."""

    name: str
    """The component's name in the package (`WebStack`): its type is `provisioning:index:<name>`."""
    model: type[BaseModel]
    """Its config model: each field is an input."""
    extras: type
    """A TypedDict of the inputs beyond the config (keys, passwords, where it runs), with docstrings."""
    outputs_of: type
    """The Python component class whose `pulumi.Output[...]` attributes are the outputs."""
    host: str
    """The name of the class (in the generated module's namespace) the component class derives from."""


def component_source(component: ComponentSource) -> str:
    """The config sections' TypedDicts, `<name>Args` and the component class, as one Python source text."""
    writer = _Writer(component.name)
    config_lines = writer.fields(component.model)
    args = _class(
        f"{component.name}Args",
        "TypedDict, total=False",
        f"The inputs of {component.name}: the fields of its config, then {_first_line(component.extras)}",
        config_lines + _copied_fields(component.extras),
    )
    outputs = [line for _, lines in _outputs(component.outputs_of) for line in lines]
    init = [
        "def __init__(",
        f"    self, name: str, args: {component.name}Args,",
        "    opts: typing.Optional[pulumi.ResourceOptions] = None,",
        ") -> None:",
        "    super().__init__(name, args, opts)",
    ]
    body = outputs + [""] + init
    doc = inspect.getdoc(component.outputs_of) or component.name
    return "\n\n".join([*writer.sections, args, _class(component.name, component.host, doc, body)]) + "\n"


def output_names(component: type) -> list[str]:
    """The names of `component`'s `pulumi.Output[...]` attributes, bases first."""
    return [name for name, _ in _outputs(component)]


class _Writer:
    """Writes the TypedDicts of a model's sections, named `<component><Section>`, each once."""

    def __init__(self, component: str) -> None:
        self.component = component
        self.sections: list[str] = []
        self._named: dict[type[BaseModel], str] = {}

    def fields(self, model: type[BaseModel]) -> list[str]:
        """The annotated, documented lines of `model`'s fields."""
        named_from_resource = set(fields_with(model, FROM_RESOURCE_NAME))
        lines: list[str] = []
        for name, info in model.model_fields.items():
            annotation, note = self.annotation(info.annotation)
            required = info.is_required() and name not in named_from_resource
            if required:
                annotation = f"Required[{annotation}]"
            doc = _doc(info)
            default = "" if _says_default(doc) else _default(info, name in named_from_resource)
            docs = [doc, note, _choices(info), default]
            lines += [f"{name}: {annotation}", _docstring(" ".join(d for d in docs if d))]
        return lines

    def annotation(self, tp: Any) -> tuple[str, str]:
        """The schema-friendly annotation of `tp`, and a note on what the schema shows instead when the
        type does not fit (empty when it does)."""
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin is typing.Annotated:
            return self.annotation(args[0])
        if origin in (typing.Union, types.UnionType):
            kept = [a for a in args if a is not type(None)]
            if len(kept) == 1:
                return self.annotation(kept[0])  # None is "not set": the input is optional
            names = " or ".join(self.annotation(a)[0] for a in kept)
            return "typing.Any", f"(Accepts {names}: the schema has no unions, so it shows any value.)"
        if origin is typing.Literal:
            base = type(args[0])
            values = ", ".join(f"`{json.dumps(a)}`" for a in args)
            return _SCALARS.get(base, "typing.Any"), f"One of {values}."
        if origin in (list, tuple, set, frozenset) or tp in (list, tuple):
            item, note = self.annotation(args[0] if args else typing.Any)
            return f"list[{item}]", note
        if origin is dict or tp is dict:
            value, note = self.annotation(args[1] if len(args) == 2 else typing.Any)
            return f"dict[str, {value}]", note
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return self.section(tp), ""
        if tp in _SCALARS:
            return _SCALARS[tp], ""
        return "typing.Any", f"(A {getattr(tp, '__name__', tp)}: the schema shows any value.)"

    def section(self, model: type[BaseModel]) -> str:
        """The name of `model`'s TypedDict, written on first use."""
        if model not in self._named:
            name = model.__name__
            name = name if name.startswith(self.component) else self.component + name
            self._named[model] = name
            lines = self.fields(model)
            self.sections.append(_class(name, "TypedDict, total=False", inspect.getdoc(model) or name, lines))
        return self._named[model]


def _class(name: str, bases: str, doc: str, body: list[str]) -> str:
    lines = [f"class {name}({bases}):", "    " + _docstring(doc), ""]
    lines += ["    " + line if line else "" for line in body]
    return "\n".join(lines)


def _docstring(text: str) -> str:
    return repr(" ".join(text.split()))


def _first_line(extras: type) -> str:
    doc = inspect.getdoc(extras) or ""
    return doc[:1].lower() + doc[1:]


def _doc(info: FieldInfo) -> str:
    return " ".join((info.description or "").split())


def _choices(info: FieldInfo) -> str:
    known = [item.known for item in _markers(info) if isinstance(item, InCatalog)]
    return f"One of {', '.join(f'`{k}`' for k in known[0])}." if known and len(known[0]) <= 12 else ""


def _markers(info: FieldInfo) -> Iterator[Any]:
    yield from info.metadata
    tp = info.annotation
    while typing.get_origin(tp) in (list, typing.Union, types.UnionType, typing.Annotated):
        args = typing.get_args(tp)
        if typing.get_origin(tp) is typing.Annotated:
            yield from args[1:]
        tp = next((a for a in args if a is not type(None)), None)


def _says_default(doc: str) -> bool:
    """The field's doc already says what an unset field means."""
    return "default" in doc.lower() or "when not given" in doc.lower()


def _default(info: FieldInfo, from_resource_name: bool) -> str:
    if from_resource_name:
        return "Default: the resource name."
    if info.is_required():
        return ""
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    if value is PydanticUndefined:
        return ""
    if isinstance(value, BaseModel):
        return "Default: each of its fields' defaults."
    if value is None:
        return "Default: not set."
    return f"Default: `{json.dumps(value)}`."


def _copied_fields(extras: type) -> list[str]:
    """The annotated fields of the class `extras` and their docstrings, as written in its source."""
    node = _class_node(extras)
    lines: list[str] = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            lines.append(f"{statement.target.id}: {ast.unparse(statement.annotation)}")
        elif _is_docstring(statement) and lines:
            lines.append(_docstring(statement.value.value))  # type: ignore[attr-defined]
    return lines


def _outputs(component: type) -> list[tuple[str, list[str]]]:
    """(name, [annotation line, docstring]) of every `pulumi.Output[...]` attribute of `component`'s
    classes, bases first; a subclass's redeclaration wins."""
    found: dict[str, list[str]] = {}
    for cls in reversed(component.__mro__):
        if cls.__module__.split(".")[0] != "provisioning":
            continue
        node = _class_node(cls)
        last: str | None = None
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                text = ast.unparse(statement.annotation)
                last = statement.target.id if text.startswith("pulumi.Output[") else None
                if last is not None:
                    found[last] = [f"{last}: {text}"]
            elif _is_docstring(statement) and last is not None:
                found[last].append(_docstring(statement.value.value))  # type: ignore[attr-defined]
                last = None
            else:
                last = None
    return list(found.items())


def _class_node(cls: type) -> ast.ClassDef:
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))  # type: ignore[arg-type]
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            return node
    raise LookupError(f"class {cls.__qualname__} not found in the source of {cls.__module__}")


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )
