"""Property-based fuzzing of /openapi.json in process: no 5xx, no schema violation (≥ 1,000 calls)."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from provisioning.emulator import Settings, create_app

from .conftest import ADMIN, API_KEY

EXAMPLES_PER_OPERATION = 50


def test_fuzz_openapi(tmp_path: Path, capsys: object) -> None:
    app = create_app(
        Settings(
            state_path=str(tmp_path / "fuzz.db"),
            bootstrap_project="fuzz",
            bootstrap_key=API_KEY,
            admin_token=ADMIN,
            lifecycle="immediate",
        )
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    calls = 0
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        path = operation.path
        if path.startswith("/admin/faults") or path.startswith("/admin/lifecycle") or path.endswith("/reset"):
            continue  # faults/lifecycle/reset would change what other operations answer
        operations += 1
        headers = {"Authorization": f"Bearer {ADMIN if path.startswith('/admin') else API_KEY}"}

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            nonlocal calls
            response = case.call(headers=headers)  # noqa: B023 - check() runs inside this iteration
            calls += 1
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        check()
    print(f"schemathesis: {calls} generated requests over {operations} operations, no 5xx, schema conformant")
    assert operations >= 25 and calls >= 1000
