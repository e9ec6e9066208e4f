"""The program-side workaround that makes Pulumi record the user's frames (`sdk/_program.py`)."""

from __future__ import annotations

import os
import sys

import pulumi
import pulumi.runtime.resource as runtime_resource
import pytest

import provisioning.sdk.dynamic  # noqa: F401 (installs the workaround outside the dynamic host)
from provisioning.sdk import _program


def test_pulumi_still_records_traces_through_the_function_we_replace() -> None:
    source = open(runtime_resource.__file__).read()  # noqa: SIM115
    assert "stack_trace = _get_stack_trace()" in source, "update provisioning/sdk/_program.py"
    assert runtime_resource._get_stack_trace is _program.user_stack_trace


def test_only_program_frames_count() -> None:
    roots = _program._library_roots()
    assert _program.is_program_frame(__file__, roots)  # a test module stands in for a user's program
    assert not _program.is_program_frame(pulumi.__file__, roots)
    assert not _program.is_program_frame(_program.__file__, roots)
    assert not _program.is_program_frame(os.__file__, roots)
    assert not _program.is_program_frame("/opt/tools/bin/pulumi-language-python-exec", roots)
    assert not _program.is_program_frame("<frozen runpy>", roots)


def test_the_innermost_frame_is_the_caller() -> None:
    def declare() -> object:
        return _program.user_stack_trace()

    trace = declare()
    first = trace.frames[0].pc  # type: ignore[attr-defined]
    line = declare.__code__.co_firstlineno + 1  # the `return` above
    assert first.uri.endswith("/test_source_positions.py") and first.line == line


def test_a_comprehension_on_the_callers_line_is_recorded_once() -> None:
    here = sys._getframe().f_lineno + 1
    traces = [_program.user_stack_trace() for _ in range(1)]  # a frame of its own on Python 3.11
    lines = [frame.pc.line for frame in traces[0].frames]  # type: ignore[attr-defined]
    assert lines[0] == here and lines.count(here) == 1, lines


def test_debug_logs_go_out_without_waiting() -> None:
    import pulumi.log

    assert pulumi.log.debug is _program.async_debug


def test_debug_logs_are_dropped_or_kept_through_a_sender_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.runtime.proto import engine_pb2

    sent: list[engine_pb2.LogRequest] = []

    class _Engine:
        def Log(self, request: engine_pb2.LogRequest) -> None:  # noqa: N802 (gRPC method name)
            sent.append(request)

    monkeypatch.setattr(_program, "get_engine", lambda: _Engine())
    monkeypatch.setattr(_program, "is_engine_client", lambda engine: True)
    monkeypatch.delenv(_program.KEEP_DEBUG_LOGS_ENV, raising=False)
    _program.async_debug("dropped by default")
    monkeypatch.setenv(_program.KEEP_DEBUG_LOGS_ENV, "true")
    for n in range(50):
        _program.async_debug(f"registering resource: ty=t, name=n{n}")
    assert _program.flush_debug_log(timeout=10)
    assert [r.message for r in sent] == [f"registering resource: ty=t, name=n{n}" for n in range(50)]
    assert {r.severity for r in sent} == {engine_pb2.DEBUG}
