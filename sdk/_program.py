"""Internal: workarounds inside the Pulumi program process (not public API).

Source positions: Pulumi's Python SDK records each resource's `sourcePosition` and `stackTrace` from
`pulumi.runtime.resource._get_stack_trace`, which takes the frames below the third `__init__` on the stack.
Any class layer between the user's call and `pulumi.Resource` (ours: `DynamicResource`) makes every
resource point at the SDK's file, and the trace carries the language host's and the SDK's frames (≈ 1.25 KB
of state per resource). `install_user_frames` makes the trace hold only the program's own frames, so the
recorded position is the user's line.

Debug logs: the SDK sends about four debug-level messages per registered resource ("registering resource",
…) with a blocking gRPC call each, on the event loop's thread: ≈ 1 ms each on a loaded machine, ≈ 4 s of a
1,000-resource `up` during which the program does nothing else, and ≈ 3 s of CPU in the program and the
engine even off that thread. They show only under `pulumi up --debug`, and the engine logs every
registration itself (`-v=5`). `install_async_debug_log` drops them, unless `PROVISIONING_SDK_DEBUG_LOGS=true`
keeps them: then one sender thread makes the same calls in the same order (flushed at exit). Debug messages
about a resource, and every other severity, take pulumi's own path.

tests/unit/sdk/test_source_positions.py fails loudly if pulumi renames what these touch.
"""

from __future__ import annotations

import atexit
import os
import queue
import sys
import sysconfig
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import pulumi
import pulumi.log as pulumi_log
import pulumi.runtime.resource as runtime_resource
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, source_pb2
from pulumi.runtime.settings import get_engine

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
    """The program's frames of the current stack, innermost first, as Pulumi's RPC stack trace.

    Walks the live frames (no source lines read) and decides each file once per process; a frame on the
    same line as the one before it (a comprehension's frame inside its caller's) is recorded once."""
    frames: list[source_pb2.StackFrame] = []
    last: tuple[str, int] | None = None
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        uri = _program_uri(frame.f_code.co_filename)
        if uri is not None and frame.f_lineno is not None and (uri, frame.f_lineno) != last:
            last = (uri, frame.f_lineno)
            frames.append(source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=uri, line=frame.f_lineno)))
        frame = frame.f_back
    return source_pb2.StackTrace(frames=frames)


_uris: dict[str, str | None] = {}
"""Per file name: its `file://` URI if it is the program's, else None (decided once per process)."""


def _program_uri(filename: str) -> str | None:
    if filename not in _uris:
        keep = is_program_frame(filename, _library_roots_cached())
        _uris[filename] = Path(filename).resolve().as_uri() if keep else None
    return _uris[filename]


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


# -- debug logs without waiting ----------------------------------------------------------------------------

_blocking_debug = pulumi_log.debug
FLUSH_TIMEOUT = 10.0
"""Seconds the program waits at exit for debug messages still on their way to the engine."""
KEEP_DEBUG_LOGS_ENV = "PROVISIONING_SDK_DEBUG_LOGS"
"""`true`: send the SDK's debug messages to the engine (by the sender thread) instead of dropping them."""
_outbox: queue.Queue[tuple[Any, engine_pb2.LogRequest]] = queue.Queue()
_sender_lock = threading.Lock()
_sender: threading.Thread | None = None


def is_engine_client(engine: Any) -> bool:
    """Whether `engine` is the gRPC client of a running engine (not the mocks' stand-in)."""
    return isinstance(engine, engine_pb2_grpc.EngineStub)


def async_debug(
    msg: str, resource: Any = None, stream_id: int | None = None, ephemeral: bool | None = None
) -> None:
    """`pulumi.log.debug`: dropped, or with `PROVISIONING_SDK_DEBUG_LOGS=true` handed to one sender thread
    instead of waiting for the engine's answer (in order); a message about a resource, or the mocks'
    engine, takes pulumi's own path."""
    engine = get_engine()
    if resource is not None or not is_engine_client(engine):
        _blocking_debug(msg, resource, stream_id, ephemeral)
        return
    if not keep_debug_logs():
        return
    request = engine_pb2.LogRequest(
        severity=engine_pb2.DEBUG, message=msg, urn="", streamId=stream_id or 0, ephemeral=bool(ephemeral)
    )
    _outbox.put((engine, request))
    _start_sender()


def keep_debug_logs() -> bool:
    """Whether `PROVISIONING_SDK_DEBUG_LOGS=true` asks for the SDK's debug messages."""
    return os.environ.get(KEEP_DEBUG_LOGS_ENV, "").strip().lower() in {"1", "true", "yes"}


def _start_sender() -> None:
    global _sender
    if _sender is None:
        with _sender_lock:
            if _sender is None:
                _sender = threading.Thread(target=_send_forever, name="pulumi-debug-log", daemon=True)
                _sender.start()


def _send_forever() -> None:
    while True:
        engine, request = _outbox.get()
        try:
            engine.Log(request)
        except Exception:  # noqa: BLE001, S110 (a debug message the engine no longer takes is no error)
            pass
        finally:
            _outbox.task_done()


def flush_debug_log(timeout: float = FLUSH_TIMEOUT) -> bool:
    """Wait (up to `timeout` s) until the debug messages handed over so far reached the engine; True if
    they all did."""
    with _outbox.all_tasks_done:
        return _outbox.all_tasks_done.wait_for(lambda: _outbox.unfinished_tasks == 0, timeout=timeout)


_async_installed = False


def install_async_debug_log() -> bool:
    """Make `pulumi.log.debug` drop its messages, or hand them to a sender thread (once per process); True
    once installed."""
    global _async_installed
    if not _async_installed:
        if not callable(getattr(pulumi_log, "_log", None)) or not hasattr(engine_pb2, "LogRequest"):
            raise RuntimeError("pulumi.log.debug changed: update provisioning/sdk/_program.py")
        pulumi_log.debug = async_debug
        atexit.register(flush_debug_log)
        _async_installed = True
    return _async_installed
