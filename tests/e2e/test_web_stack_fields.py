"""Every WebStack field changed on one deployed stack (machine hosts; web 2, app 2, PostgreSQL without a
replica, monitoring off), one row per field in the order `tests/support/web_stack_fields.py` derives them
from `WebStackConfig`, each on the stack the rows before it left:

- a field whose change is made: `pulumi up` (its preview first) under traffic through the load balancer
  exits 0; no request fails unless its preview warned, naming the field, that the change costs downtime
  (then the failures are reported); a `Costly` field's preview warns naming it; the app answers after; for
  a database_tier field, the visits written before are read after; the next preview is clean;
- a `Fixed` field's change: `pulumi preview` fails naming the field, both values and what it would
  replace; the config put back, the next preview is clean;
- a field tested in `test_web_stack_day_two.py`: the row names that test (`ELSEWHERE`), which must exist;
- a field for which no change can be derived: the row fails naming it;
- then every switch the rows turned (load balancer, high availability, monitoring, …) is turned back, in
  reverse order, as a row of its own (`<field>-back`), checked as any change that is made."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.web_stack_fields import FieldRow, rows

from . import test_web_stack_day_two
from .test_web_stack import WebStackRun, deployed_web_stack, page, small_cluster, wait_for
from .web_traffic import Traffic

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(2400)]

CLUSTER: dict[str, Any] = small_cluster("shop", "10.87")
ELSEWHERE: dict[str, str] = {
    "app_version": "test_a_rolling_update_fails_no_request",
    "web_tier.replicas": "test_scaling_the_web_tier_in_and_out_fails_no_request",
    "web_tier.instance_type": "test_resizing_the_web_tier_rolls_without_a_failed_request",
    "web_tier.load_balancer.health_check_path": "test_a_health_check_path_change_fails_no_request",
    "app_tier.replicas": "test_scaling_the_app_tier_out_and_in_fails_no_request",
    "app_tier.instance_type": "test_resizing_the_app_tier_rolls_without_a_failed_request",
}
"""Fields whose change `tests/e2e/test_web_stack_day_two.py` makes under traffic, by its test's name."""
ROWS = rows(CLUSTER, elsewhere=ELSEWHERE)
RESULTS: dict[str, str] = {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebStackRun]:
    tmp = tmp_path_factory.mktemp("web-stack-fields")
    started = time.monotonic()
    with deployed_web_stack(tmp, CLUSTER, label="fields", public_pool="100.87.0.0/24") as run:
        yield run
    print(f"\nevery field changed ({time.monotonic() - started:.0f} s with the first up and the destroy):")
    for path, line in RESULTS.items():
        print(f"  {path:<40} {line}")


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_a_change_of_the_field(stack: WebStackRun, row: FieldRow) -> None:
    if row.problem is not None:
        pytest.fail(row.problem)
    if row.path in ELSEWHERE:
        test = getattr(test_web_stack_day_two, ELSEWHERE[row.path], None)
        assert callable(test), f"{row.path}: covered by {ELSEWHERE[row.path]}, which is not a test"
        RESULTS[row.path] = f"covered by test_web_stack_day_two.py::{ELSEWHERE[row.path]}"
    elif row.fixed is not None:
        refused(stack, row)
    else:
        applied(stack, row)
    assert_clean(stack)


def refused(stack: WebStackRun, row: FieldRow) -> None:
    """`pulumi preview` of the change fails naming the field, both values and what it would replace."""
    before = json.loads(json.dumps(stack.cluster))
    stack.configure(row.config)
    try:
        done = stack.project.preview(check=False)
    finally:
        stack.configure(before)
    said = " ".join((done.stdout + done.stderr).split())
    expected = (
        f"{row.path} cannot change on a deployed stack ({row.before!r} -> {row.after!r}): it would replace"
    )
    assert done.returncode != 0 and f"property {row.path} value" in said and expected in said, said[-3000:]
    assert " ".join(str(row.fixed).split()) in said, said[-3000:]
    [line, *_] = [x for x in (done.stdout + done.stderr).splitlines() if "cannot change on a deployed" in x]
    RESULTS[row.path] = "refused at preview: " + line.strip()


def applied(stack: WebStackRun, row: FieldRow) -> None:
    """`pulumi up` of the change under traffic (see the module docstring)."""
    url = stack.web()
    wait_for("the app answering through the load balancer", lambda: page(url))
    visits = page(url)["visits"]
    stack.configure(row.config)
    with Traffic(url, minimum=500) as traffic:
        started = time.monotonic()
        done = stack.project.run("up", "--yes", "--stack", stack.project.stack)  # its preview first
        result = traffic.result(time.monotonic() - started)
    previewed = (done.stdout + done.stderr).split("Updating (", 1)[0].splitlines()
    warned = sorted({line.strip() for line in previewed if "warning:" in line and row.path in line})
    downtime = any("downtime" in line for line in warned)
    RESULTS[row.id] = result.line("downtime warned" if downtime else "no downtime").strip()
    print(f"\n{row.id} {row.before!r} -> {row.after!r}: {result.summary()}; warned: {warned}")
    assert row.costly is None or warned, f"{row.path}: the preview did not warn naming it"
    assert downtime or result.failed == 0, f"{row.path}: {result.summary()}"
    after = wait_for("the app answering after the change", lambda: page(stack.web()), 120)
    if row.path.startswith("database_tier."):
        assert after["visits"] > visits, f"{row.path}: the visits written before are gone ({after}, {visits})"


def assert_clean(stack: WebStackRun) -> None:
    """The next preview changes nothing but providers."""
    steps = stack.project.preview_json()["steps"]
    changed = {s["urn"]: s["op"] for s in steps if s["op"] not in ("same", "read")}
    assert not {urn: op for urn, op in changed.items() if "pulumi:providers:" not in urn}, changed
