"""Internal: a workaround inside the Pulumi program process (not public API).

Pulumi's Python SDK records each resource's `sourcePosition` and `stackTrace` from
`pulumi.runtime.resource._get_stack_trace`, which takes the frames below the third `__init__` on the stack.
Any class layer between the user's call and `pulumi.Resource` (ours: `DynamicResource`) makes every
resource point at the SDK's file, and the trace carries the language host's and the SDK's frames (≈ 1.25 KB
of state per resource). `install_user_frames` makes the trace hold only the program's own frames, so the
recorded position is the user's line. tests/unit/sdk/test_source_positions.py fails loudly if pulumi
renames what this touches.
"""

from __future__ import annotations

import os
import sysconfig
import traceback
from pathlib import Path

import pulumi
import pulumi.runtime.resource as runtime_resource
from pulumi.runtime.proto import source_pb2

_PATCHED = "_get_stack_trace"
_LANGUAGE_HOST = "pulumi-language-python"
"""The language host's scripts (`pulumi-language-python-exec`) run the program: never its frames."""
_installed = False


def _library_roots() -> tuple[str, ...]:
    """Folders whose frames are never the program's: Python's own, Pulumi's SDK and this package."""
    import provisioning

    roots = {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    roots.add(os.path.dirname(pulumi.__file__))
    for name in ("sdk", "providers", "components", "policies"):
        module = __import__(f"provisioning.{name}", fromlist=["_"])
        roots.update(os.path.realpath(p) for p in module.__path__)
    roots.update(os.path.realpath(p) for p in provisioning.__path__)
    return tuple(os.path.join(root, "") for root in roots)


def is_program_frame(filename: str, roots: tuple[str, ...]) -> bool:
    """Whether a frame's file belongs to the program (not Python, Pulumi, its language host or this SDK)."""
    if not filename or filename.startswith("<") or os.path.basename(filename).startswith(_LANGUAGE_HOST):
        return False
    real = os.path.join(os.path.realpath(filename), "")
    return not real.startswith(roots)


def user_stack_trace() -> source_pb2.StackTrace:
    """The program's frames of the current stack, innermost first, as Pulumi's RPC stack trace."""
    roots = _library_roots_cached()
    frames = [
        source_pb2.StackFrame(
            pc=source_pb2.SourcePosition(uri=Path(f.filename).resolve().as_uri(), line=f.lineno)
        )
        for f in reversed(traceback.extract_stack())
        if f.lineno is not None and is_program_frame(f.filename, roots)
    ]
    return source_pb2.StackTrace(frames=frames)


_roots: tuple[str, ...] | None = None


def _library_roots_cached() -> tuple[str, ...]:
    global _roots
    if _roots is None:
        _roots = _library_roots()
    return _roots


def install_user_frames() -> bool:
    """Make Pulumi record the program's frames only (once per process); True once installed."""
    global _installed
    if not _installed:
        if not callable(getattr(runtime_resource, _PATCHED, None)):
            raise RuntimeError(
                f"pulumi.runtime.resource.{_PATCHED} is gone: update provisioning/sdk/_program.py"
            )
        setattr(runtime_resource, _PATCHED, user_stack_trace)
        _installed = True
    return _installed
