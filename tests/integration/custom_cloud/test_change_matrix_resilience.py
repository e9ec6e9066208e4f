"""The change matrix's replacing rows again, on the real engine: without checkpoints
(`PULUMI_SKIP_CHECKPOINTS=true`) and under injected 5xx/429 faults, each ending with the same plan and cloud
as in `test_change_matrix.py` (one `up` per row, from the previous row's stack); and a replacement that fails
half-way (its create answers 503, or its server never boots) leaves no orphan, and a later `up` finishes it.

Wall time: printed at the end of the module (run with `-s`)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.change_matrix import Row
from tests.support.cloud import CloudHandle, running_cloud
from tests.support.matrix_engine import (
    BASE,
    REPLACING,
    Deployed,
    UpFailed,
    collections,
    deploy,
    row_stack,
    set_faults,
)

STUCK_TIMEOUT = 2.0
"""Seconds the replacement that never boots is waited for (its `create_timeout`)."""

pytestmark = [pytest.mark.engine, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def fast(module_cloud: CloudHandle, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    workdir = tmp_path_factory.mktemp("cm-fast") / "proj"
    return deploy(module_cloud, workdir, project="matrix-fast", PULUMI_SKIP_CHECKPOINTS="true")


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    with running_cloud(tmp_path_factory.mktemp("cm-faults"), lifecycle="immediate") as handle:
        # 20 % of every request fails with 500, 503 or 429, from the base stack's first create on
        set_faults(handle, error_rate=0.2, error_statuses=[500, 503, 429])
        yield deploy(handle, tmp_path_factory.mktemp("cm-faulty") / "proj", project="matrix-faults")


@pytest.fixture(scope="module")
def deployed(module_cloud: CloudHandle, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    return deploy(module_cloud, tmp_path_factory.mktemp("cm-half") / "proj", project="matrix-half-way")


@pytest.fixture(scope="module", autouse=True)
def wall_time() -> Iterator[None]:
    """Prints the module's wall time (run with `-s` to see it)."""
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    print(f"\nchange matrix, resilience ({len(REPLACING)} replacing rows): the module took {took:.0f} s")


@pytest.mark.parametrize("row", REPLACING, ids=[r.id for r in REPLACING])
def test_replacing_change_without_checkpoints(fast: Deployed, row: Row) -> None:
    """`PULUMI_SKIP_CHECKPOINTS=true`: each replacing change (from the previous row's stack, in one `up`)
    ends with the same plan and cloud as with checkpoints."""
    fast.step(row_stack(row), row.id, preview=False)


def test_without_checkpoints_ends_clean(fast: Deployed) -> None:
    fast.step(BASE, "revert (no checkpoints)")


@pytest.mark.parametrize("row", REPLACING, ids=[r.id for r in REPLACING])
def test_replacing_change_under_faults(faulty: Deployed, row: Row) -> None:
    """20 % of the API's answers are 500, 503 or 429: each replacing change ends with the same plan and
    cloud as without faults."""
    faulty.step(row_stack(row), row.id, preview=False)


def test_under_faults_ends_clean(faulty: Deployed) -> None:
    faulty.step(BASE, "revert (faults)")


def _server_rows() -> list[Any]:
    """A server replacement that creates first (a new name) and one that deletes first (same name, zone)."""
    rows = [r for r in REPLACING if r.token.endswith(":Server")]
    renamed = next(r for r in rows if r.field == "name")
    same_name = next(
        r
        for r in rows
        if r.field != "name"
        and r.stack
        and r.stack[_subject(r)].args.get("zone") == BASE[_subject(r)].args.get("zone")
    )
    return [
        pytest.param(renamed, "post-fails", id=f"{renamed.id}-create-fails"),
        pytest.param(same_name, "boot-stuck", id=f"{same_name.id}-boot-stuck"),
    ]


def _subject(row: Row) -> str:
    return next(n for n, p in BASE.items() if p.token == row.token and p.role == "subject")


@pytest.mark.parametrize(("row", "fault"), _server_rows())
def test_replacement_failing_half_way(deployed: Deployed, row: Row, fault: str) -> None:
    """The replacement's create fails (every POST /v1/instances answers 503, or the new server never boots
    within its create_timeout): the `up` fails, the cloud holds nothing the state does not know and no name
    twice; a later `up` without faults finishes the change, and the next preview is clean."""
    changed = row_stack(row)
    if deployed.current != BASE:
        deployed.step(BASE, f"base before {row.id}", preview=False)
    subject = _subject(row)
    if fault == "boot-stuck":
        short = {**changed[subject].args, "create_timeout": STUCK_TIMEOUT}
        changed = {**changed, subject: dataclasses.replace(changed[subject], args=short)}
        set_faults(deployed.cloud, stuck_in_provisioning=True)
    else:
        set_faults(deployed.cloud, error_rate=1.0, error_statuses=[503], routes=["POST /v1/instances"])
    try:
        with pytest.raises(UpFailed, match=f"\\n{subject}: "):  # the replacement's create is what failed
            deployed.up(changed, f"{row.id} ({fault})")
    finally:
        set_faults(deployed.cloud)
    known = set(deployed.ids().values())
    for collection in collections().values():
        items = deployed.items(collection.path)
        orphans = sorted(i["id"] for i in items if i["id"] not in known)
        assert not orphans, f"{collection.path}: {orphans} are in the cloud but not in the stack's state"
        names = [i["name"] for i in items]
        assert len(names) == len(set(names)), f"{collection.path}: a name twice in {sorted(names)}"
    deployed.up(changed, f"{row.id} after the fault")
    deployed.check_cloud(changed)
    deployed.preview_clean(f"{row.id} after the fault")
    deployed.step(BASE, f"revert {row.id} after the fault")
