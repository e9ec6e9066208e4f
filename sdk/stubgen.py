"""Typed signatures for the resources, derived from their declarations.

At run time, `args_type` builds a resource's arguments TypedDict from its declaration. For type checkers,
`render_stub` writes the `.pyi` of a resources module: an `XArgs` TypedDict per resource (each argument as
`pulumi.Input[...]`, required ones `Required`), the outputs as `pulumi.Output[...]` attributes, and two
`__init__` overloads, `(resource_name, args, opts=None)` and `(resource_name, *, opts=None, **kwargs)`
with `Unpack[XArgs]`, so a misspelt keyword is a type error. Regenerate after changing a declaration:

    python -m provisioning.sdk.stubgen provisioning.providers.custom_cloud.resources

(a test fails while the checked-in stub is stale). Imports no Pulumi."""

from __future__ import annotations

import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .fields import COMPUTED, FROM_RESOURCE_NAME, INTERNAL, fields_with, has_role
from .registry import Declaration

__all__ = ["args_type", "argument_fields", "formatted", "render_stub", "stub_path"]

HEADER = '''"""Generated from the resource declarations by
`python -m provisioning.sdk.stubgen {module}`: do not edit."""
'''


def argument_fields(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The fields a user passes: all but computed and internal ones."""
    skip = set(fields_with(model, COMPUTED, INTERNAL))
    return {name: info for name, info in model.model_fields.items() if name not in skip}


def args_type(decl: Declaration) -> type:
    """The run-time arguments TypedDict of a declared resource (`ServerArgs(machine_type=…)` is a dict)."""
    name = decl.type_token.rpartition(":")[2] + "Args"
    fields = dict.fromkeys(argument_fields(decl.model), Any)
    args: type = TypedDict(name, fields, total=False)  # type: ignore[misc]  # built from the declaration
    return args


# -- rendering ---------------------------------------------------------------------------------------------


class _Renderer:
    """Turns field annotations into stub source; collects the nested models it meets."""

    def __init__(self) -> None:
        self.nested: dict[str, type[BaseModel]] = {}

    def type(self, annotation: Any, *, inputs: bool) -> str:
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is Annotated:
            return self.type(args[0], inputs=inputs)
        if annotation is type(None):
            return "None"
        if origin in (typing.Union, types.UnionType):
            return " | ".join(self.type(a, inputs=inputs) for a in args)
        if origin is Literal:
            return "Literal[" + ", ".join(repr(a) for a in args) + "]"
        if origin in (list, tuple):  # inputs: read-only, so a list of a narrower type fits (as Pulumi's SDKs)
            return f"{'Sequence' if inputs else 'list'}[{self.wrap(args[0], inputs=inputs)}]"
        if origin is dict:
            return f"{'Mapping' if inputs else 'dict'}[str, {self.wrap(args[1], inputs=inputs)}]"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if not inputs:
                return "dict[str, Any]"
            self.nested[annotation.__name__ + "Args"] = annotation
            return annotation.__name__ + "Args"
        if annotation is datetime:
            return "str"
        if annotation in (str, int, float, bool):
            return str(annotation.__name__)
        return "Any"

    def wrap(self, annotation: Any, *, inputs: bool) -> str:
        inner = self.type(annotation, inputs=inputs)
        return f"pulumi.Input[{inner}]" if inputs else inner


def _doc(text: str | None, indent: str = "    ") -> str:
    body = (text or "").strip().replace('"""', "'''")
    return f'{indent}"""{body}"""\n' if body else ""


def _argument_doc(info: FieldInfo, from_resource_name: bool) -> str:
    doc = (info.description or "").strip()
    if from_resource_name:
        return f"{doc} Default: the resource name."
    if not info.is_required() and info.default is not None and not callable(info.default_factory):
        return f"{doc} Default: {info.default!r}."
    return doc


def _typed_dict(name: str, doc: str | None, fields: dict[str, FieldInfo], renderer: _Renderer) -> str:
    lines = [f"class {name}(TypedDict, total=False):\n", _doc(doc)]
    for field, info in fields.items():
        from_name = has_role(info, FROM_RESOURCE_NAME)
        annotation = renderer.wrap(info.annotation, inputs=True)
        if info.is_required() and not from_name:
            annotation = f"Required[{annotation}]"
        lines += [f"    {field}: {annotation}\n", _doc(_argument_doc(info, from_name))]
    return "".join(lines)


def _outputs(decl: Declaration) -> Iterator[tuple[str, FieldInfo]]:
    skip = set(fields_with(decl.model, INTERNAL))
    yield from ((n, i) for n, i in decl.model.model_fields.items() if n not in skip)
    if decl.response is not None:
        for name in decl.output_names:
            if name not in decl.model.model_fields:
                yield name, decl.response.model_fields[name]


def _resource(cls: type, renderer: _Renderer) -> str:
    decl: Declaration = cls.declaration  # type: ignore[attr-defined]
    args = f"{cls.__name__}Args"
    out = [_typed_dict(args, decl.description, argument_fields(decl.model), renderer), "\n\n"]
    out += [f"class {cls.__name__}(DynamicResource):\n", _doc(cls.__doc__)]
    for name, info in _outputs(decl):
        out += [
            f"    {name}: pulumi.Output[{renderer.type(info.annotation, inputs=False)}]\n",
            _doc(info.description),
        ]
    out.append(
        "    @overload\n"
        f"    def __init__(self, resource_name: str, args: {args},"
        " opts: pulumi.ResourceOptions | None = None) -> None: ...\n"
        "    @overload\n"
        "    def __init__(self, resource_name: str, *, opts: pulumi.ResourceOptions | None = None,"
        f" **kwargs: Unpack[{args}]) -> None: ...\n"
    )
    return "".join(out)


def render_stub(module_name: str) -> str:
    """The `.pyi` source of a module of declared resources (every `DynamicResource` subclass in it)."""
    module = import_module(module_name)
    classes = [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and hasattr(obj, "declaration") and obj.__module__ == module_name
    ]
    renderer = _Renderer()
    resources = [_resource(cls, renderer) for cls in classes]
    nested = [
        _typed_dict(name, model.__doc__, argument_fields(model), renderer)
        for name, model in renderer.nested.items()
    ]
    head = [
        HEADER.format(module=module_name),
        "\nfrom collections.abc import Mapping, Sequence\n"
        "from typing import Any, Literal, Required, TypedDict, Unpack, overload\n\n",
        "import pulumi\n\nfrom provisioning.sdk.dynamic import DynamicResource\n\n\n",
    ]
    return "".join(head) + "\n\n".join([*nested, *resources])


def stub_path(module_name: str) -> Path:
    """Where the stub of `module_name` lives (beside its source)."""
    source = import_module(module_name).__file__
    assert source is not None
    return Path(source).with_suffix(".pyi")


def formatted(source: str) -> str:
    """`source` as `ruff format` leaves it (the project's formatter, a development dependency)."""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", "stub.pyi", "-"],
        input=source,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def main(argv: list[str]) -> int:
    """Write the stub of each module named in `argv`."""
    for module_name in argv:
        path = stub_path(module_name)
        path.write_text(formatted(render_stub(module_name)))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
