"""The change matrix on the real engine: every field a user can set, of every registered Custom Cloud
resource, changed on a deployed stack in which the resource has every dependent it can have.

Rows, stacks and plans come from the declarations (`tests/support/change_matrix.py`); the program
(`change_matrix/`) builds whatever stack it is handed in `t:stack` (`tests/support/matrix_engine.py` drives
it). Per row: the plan of the `up` (each resource updated, replaced, or left alone, as the declarations
say), `up` exits 0, the cloud holds exactly what the stack declares (no orphan, no duplicate, every field
and every reference to the new ids), and the next preview shows no changes. The stack goes back to its base
between rows, in the same `up` as the next row's change when the two touch different resources (the plan
then shows each apart), else in an `up` of its own, whose plan and cloud are checked too. A stack of
resources given only their required fields previews clean. The replacing rows run again without
checkpoints and under faults in `test_change_matrix_resilience.py`.

Wall time: printed at the end of the module (run with `-s`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.change_matrix import REGION, Row, minimal, schedule, touched
from tests.support.cloud import CloudHandle
from tests.support.matrix_engine import BASE, MATRIX, Deployed, deploy, new_project, row_stack

ROWS: list[Row] = schedule(MATRIX, MATRIX.rows)

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def deployed(module_cloud: CloudHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    stack = deploy(module_cloud, tmp_path_factory.mktemp("cm") / "proj", project="matrix")
    yield stack
    print(f"\nchange matrix stack: {stack.summary()}")


@pytest.fixture(scope="module", autouse=True)
def wall_time() -> Iterator[None]:
    """Prints the module's wall time (run with `-s` to see it)."""
    started = time.monotonic()
    yield
    print(f"\nchange matrix ({len(ROWS)} rows): the module took {time.monotonic() - started:.0f} s")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_change(deployed: Deployed, row: Row) -> None:
    """One field of one resource changes on the deployed stack: the plan, the cloud and a clean preview."""
    changed = row_stack(row)
    current = deployed.current
    if (
        current is not None
        and current != BASE
        and touched(MATRIX, current, BASE) & touched(MATRIX, BASE, changed)
    ):
        deployed.step(BASE, f"revert before {row.id}", preview=False)
    deployed.step(changed, row.id)


def test_matrix_ends_back_at_its_base(deployed: Deployed) -> None:
    """The last row reverts like every other: the plan, the cloud and a clean preview."""
    deployed.step(BASE, "revert of the last row")


def test_required_fields_only_preview_clean(module_cloud: CloudHandle, tmp_path: Path) -> None:
    """Every resource given only what it must be given (servers only a subnet, a load balancer no region:
    the provider's `custom-cloud:region` fills it) deploys, holds that in the cloud and previews clean."""
    stack = minimal(MATRIX, "cmmin")
    bare = new_project(module_cloud, tmp_path / "proj", project="matrix-minimal")
    bare.step(stack, "required fields only")
    assert REGION in {i["region"] for i in bare.items("/load-balancers")}
