"""The program-side workaround that makes Pulumi record the user's frames (`sdk/_program.py`)."""

from __future__ import annotations

import os

import pulumi
import pulumi.runtime.resource as runtime_resource

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
    assert first.uri.endswith("/test_source_positions.py") and first.line == 32  # the `return` above
