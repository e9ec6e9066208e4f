"""Internal: a Pulumi program ends at once, quietly, when the engine cancels it (not public API).

When a step fails (a check failure, a policy violation, an unreachable API), the engine cancels the
program: its Python language host sends SIGINT, waits 5 s, then kills it. The resource whose step failed
is never answered: the blocking `RegisterResource` call Pulumi made for it sits in a worker thread of the
event loop's default executor, and the language host's `executor.shutdown(wait=True)` joins that thread.
Python's default SIGINT handler raises `KeyboardInterrupt` in the event loop, then again in that join:
two 13-line tracebacks printed under the failure, and the run lasts until the host kills the program.

`install_cancel_exit` replaces that handler in the language host's program process only: on the engine's
cancellation the program flushes what it printed and exits with the language host's "message already
shown" status, so the engine shows the failures it reported and nothing else, without the wait.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType

from pulumi.runtime.proto import resource_pb2_grpc
from pulumi.runtime.settings import get_monitor

__all__ = ["EXIT_AFTER_MESSAGE", "LANGUAGE_HOST_EXEC", "install_cancel_exit", "is_program_process"]

EXIT_AFTER_MESSAGE = 32
"""The status Pulumi's Python language host reads as "the program exited after showing its message": the
engine adds no "non-zero exit code" error of its own."""
LANGUAGE_HOST_EXEC = "pulumi-language-python-exec"
"""The script Pulumi's Python language host runs the program with: the outermost frame of its main thread."""

_installed = False


def is_program_process() -> bool:
    """Whether this is the program process of a Pulumi Python language host on a real engine, on its main
    thread: not the dynamic provider host, not the Automation API's inline programs, not unit tests' mocks."""
    if threading.current_thread() is not threading.main_thread():
        return False
    if not isinstance(get_monitor(), resource_pb2_grpc.ResourceMonitorStub):
        return False
    frame = sys._getframe()
    while frame.f_back is not None:
        frame = frame.f_back
    return os.path.basename(frame.f_code.co_filename) == LANGUAGE_HOST_EXEC


def exit_on_cancel(signum: int, frame: FrameType | None) -> None:
    """The engine cancelled the program: flush its output and end the process now."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing left to show
            pass
    os._exit(EXIT_AFTER_MESSAGE)


def install_cancel_exit() -> bool:
    """Make SIGINT end the program process at once (once per process, program process only); True when
    the handler is installed."""
    global _installed
    if not _installed and is_program_process():
        signal.signal(signal.SIGINT, exit_on_cancel)
        _installed = True
    return _installed
