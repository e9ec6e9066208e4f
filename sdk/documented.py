"""`DocumentedModel`: a pydantic model whose fields are described by the docstring under each of them.

Pydantic's own `use_attribute_docstrings` finds each class's source by walking the call stack and asking
`inspect` which module every frame belongs to; on Python 3.11 each of those questions can scan every loaded
module, so a module of thirty models spent ≈ 100 ms on it at every start of a program or provider host.
Here each module's source is parsed once, and a model's schema is built when it is first used
(`defer_build`), after its descriptions are in place. Same descriptions, same rule: a docstring right under
an annotated field describes it unless the field has a description of its own."""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["DocumentedModel", "attribute_docstrings", "build_deferred"]

_ClassDocs = dict[str, str]


class DocumentedModel(BaseModel):
    """Subclass this instead of `BaseModel` (and leave out `use_attribute_docstrings`)."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        docs = attribute_docstrings(cls)
        described = False
        for name, info in cls.__pydantic_fields__.items():
            if info.description is None and name in docs:
                info.description = docs[name]
                described = True
        if described and cls.__pydantic_complete__:  # built already (a subclass turned defer_build off)
            cls.model_rebuild(force=True)


def build_deferred(module: ModuleType) -> None:
    """Build now every deferred model `module` defines, and defer them no more: for a server that validates
    with all of them (the local cloud's FastAPI app, whose type adapters over a model defer when the model
    does, and then describe it differently)."""
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, BaseModel)
            and value.__module__ == module.__name__
            and not value.__pydantic_complete__
        ):
            value.model_rebuild()
            value.model_config["defer_build"] = False


def attribute_docstrings(cls: type) -> _ClassDocs:
    """The docstrings under the annotated attributes `cls`'s own body declares, by attribute name."""
    filename = getattr(sys.modules.get(cls.__module__), "__file__", None)
    if not filename:
        return {}
    found = [(line, docs) for (name, line), docs in _module_classes(filename).items() if name == cls.__name__]
    if len(found) < 2:
        return found[0][1] if found else {}
    # several classes of that name in the module (made in functions): the one defined nearest the line
    # that is creating this class now
    creating = _line_creating(filename)
    return min(found, key=lambda item: abs(item[0] - creating))[1]


@functools.cache
def _module_classes(filename: str) -> dict[tuple[str, int], _ClassDocs]:
    try:
        with open(filename, encoding="utf-8") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, ValueError):
        return {}
    return {
        (node.name, node.lineno): _docs_of(node) for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
    }


def _docs_of(node: ast.ClassDef) -> _ClassDocs:
    """`name: T` (or `name: T = …`) followed at once by a string: that string, cleaned like a docstring."""
    docs: _ClassDocs = {}
    body = node.body
    for statement, following in zip(body, body[1:], strict=False):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _line_creating(filename: str) -> int:
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != filename:
        frame = frame.f_back  # type: ignore[assignment]
    return (frame.f_lineno or 0) if frame is not None else 0
