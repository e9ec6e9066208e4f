"""Fast mode (`PULUMI_SKIP_CHECKPOINTS=true`: the DIY backend writes the state only at the end) is crash-safe
for Custom Cloud resources: `pulumi up` / `pulumi destroy` SIGKILLed early, midway and late, then
`pulumi cancel` and the same command again, converge with no duplicate and no orphan in any collection.

The stack (`mixed_stack/`): a network, two subnets, COUNT servers, a volume and a load balancer over the
servers. Kill points are decided by polling the API, never by sleeping. Only the `pulumi` CLI process is
SIGKILLed (as a user or an OOM killer would); whatever of its session outlives it (the language host and
the provider host do, the program ends) is recorded, then killed before the recovery runs (`+orphans`: left
running through it). `up/late+relabel` changes every resource's labels between the kill and the recovery,
so no idempotency key replays and every resource is adopted through its ownership label. Each case prints
one `fast-mode:` line (run with `-s` to see them)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from provisioning.sdk.ownership import OWNER_LABEL
from tests.support.cloud import CloudHandle, running_cloud
from tests.support.pulumi_cli import PulumiProject, require_engine

from .conftest import HERE, project_for

pytestmark = [pytest.mark.engine, pytest.mark.timeout(300)]

COUNT = 6
BOOT_DELAY = 2.0
"""Seconds a server or load balancer takes to boot, and to be deleted (the emulator's timed lifecycle)."""
PARALLEL = "3"
"""`--parallel` of the killed runs: servers go in waves, so "half done" is a state the API can show."""
FAST = {"PULUMI_SKIP_CHECKPOINTS": "true"}
EARLY_HOLD_MS = 1500
"""Latency of `POST /v1/subnets` in the `early` cases (the network and volume are made at once)."""
RUN_TIMEOUT = 150.0
"""Bound of every `pulumi` command and of every wait for a kill point."""

COLLECTIONS = ("instances", "networks", "subnets", "load-balancers", "volumes")
DECLARED = {
    "instances": sorted(f"mix-{n}" for n in range(COUNT)),
    "networks": ["mix-net"],
    "subnets": ["mix-sub-a", "mix-sub-b"],
    "load-balancers": ["mix-lb"],
    "volumes": ["mix-data"],
}
TOTAL = sum(len(names) for names in DECLARED.values())
READY = {"instances": "running", "load-balancers": "active"}
"""Ready status per collection (the others are `available` at once)."""
TYPE_PREFIX = "pulumi-python:dynamic/custom-cloud:"

Live = dict[str, list[dict[str, Any]]]


# -- the API -----------------------------------------------------------------------------------------------


def live(cloud: CloudHandle) -> Live:
    """Every resource of every collection (every page; injected faults retried)."""
    found: Live = {}
    with cloud.client() as client:
        for collection in COLLECTIONS:
            items: list[dict[str, Any]] = []
            token: str | None = None
            while True:
                params: dict[str, Any] = {"page_size": 500, **({"page_token": token} if token else {})}
                for _ in range(20):
                    response = client.get(f"/{collection}", params=params)
                    if response.status_code == 200:
                        break
                    time.sleep(0.05)
                response.raise_for_status()
                page = response.json()
                items += page["items"]
                token = page.get("next_page_token")
                if not token:
                    break
            found[collection] = items
    return found


def slow_route(cloud: CloudHandle, route: str, latency_ms: int) -> None:
    """The emulator waits `latency_ms` before handling `route` (e.g. `"POST /v1/subnets"`)."""
    headers = {"Authorization": f"Bearer {cloud.admin_token}"}
    body = {"routes": [route], "latency_ms": latency_ms}
    httpx.put(f"{cloud.root}/admin/faults", json=body, headers=headers, timeout=10).raise_for_status()


def count(snapshot: Live, collection: str | None = None, status: str | None = None) -> int:
    groups = [snapshot[collection]] if collection else list(snapshot.values())
    return sum(1 for items in groups for r in items if status is None or r["status"] == status)


def summary(snapshot: Live) -> dict[str, dict[str, int]]:
    """Per collection, how many resources are in each status."""
    out: dict[str, dict[str, int]] = {}
    for collection, items in snapshot.items():
        for r in items:
            out.setdefault(collection, {}).setdefault(r["status"], 0)
            out[collection][r["status"]] += 1
    return out


def duplicates(snapshot: Live) -> dict[str, list[str]]:
    """Names held by more than one resource, per collection."""
    found = {}
    for collection, items in snapshot.items():
        names = [r["name"] for r in items]
        extra = sorted({n for n in names if names.count(n) > 1})
        if extra:
            found[collection] = extra
    return found


# -- processes ------------------------------------------------------------------------------------------


def _session_members(sid: int) -> dict[int, str]:
    """Pid → command line of every process in session `sid`."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found[int(stat.parent.name)] = cmdline
    return found


def _kill_session(sid: int) -> None:
    for pid in _session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def sessions() -> Iterator[list[int]]:
    """Sessions of the killed runs; whatever of them still runs at the end is killed."""
    started: list[int] = []
    yield started
    for sid in started:
        _kill_session(sid)


def _role(cmdline: str) -> str:
    """What a process of a `pulumi` session is, from its command line."""
    if "-m pulumi.dynamic" in cmdline:
        return "provider host"
    if "pulumi-resource-pulumi-python" in cmdline:
        return "provider host shim (sh)"
    if "pulumi-language-python-exec" in cmdline:
        return "program"
    if "pulumi-language-python" in cmdline:
        return "language host"
    return cmdline.split(" ", 1)[0].rsplit("/", 1)[-1]


@dataclass
class Kill:
    """What a killed run left: the API at the kill, the processes that outlived the CLI, timings."""

    at_kill: Live
    after: Live = field(default_factory=dict)
    survivors: list[str] = field(default_factory=list)
    seconds_to_kill: float = 0.0


def run_and_kill(
    project: PulumiProject,
    cloud: CloudHandle,
    sessions: list[int],
    command: str,
    when: Callable[[Live], bool],
    *,
    keep_orphans: bool = False,
) -> Kill:
    """Start `pulumi <command>`, poll the API until `when(snapshot)`, SIGKILL the CLI; then record every
    process of its session that outlived it (the language and provider hosts run in their own process
    groups and keep running) and kill them, unless `keep_orphans` (then the `sessions` fixture does)."""
    argv = [require_engine(), command, "--yes", "--skip-preview", "--non-interactive", "--parallel", PARALLEL]
    log = (project.workdir / f"{command}-killed.log").open("w")
    started = time.monotonic()
    cli = subprocess.Popen(
        [*argv, "--stack", project.stack],
        cwd=project.workdir, env=project._environment(), stdin=subprocess.DEVNULL, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    sessions.append(cli.pid)
    try:
        while True:
            snapshot = live(cloud)
            if when(snapshot):
                break
            assert cli.poll() is None, f"`pulumi {command}` ended before the kill point: {summary(snapshot)}"
            assert time.monotonic() - started < RUN_TIMEOUT, f"kill point not reached: {summary(snapshot)}"
            time.sleep(0.02)
        os.kill(cli.pid, signal.SIGKILL)  # the CLI only: its children are left as a real kill leaves them
        cli.wait(timeout=30)
    finally:
        log.close()
    kill = Kill(at_kill=snapshot, seconds_to_kill=round(time.monotonic() - started, 2))
    assert cli.returncode == -signal.SIGKILL, f"`pulumi {command}` exited {cli.returncode} before the kill"
    deadline = time.monotonic() + 5  # the program ends once its engine connection breaks; the hosts stay
    while "program" in map(_role, _session_members(cli.pid).values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    kill.survivors = sorted(_role(c) for c in _session_members(cli.pid).values())
    if not keep_orphans:
        _kill_session(cli.pid)
        deadline = time.monotonic() + 10
        while _session_members(cli.pid):
            assert time.monotonic() < deadline, f"session survives SIGKILL: {_session_members(cli.pid)}"
            time.sleep(0.05)
    kill.after = settled(cloud)
    return kill


def settled(cloud: CloudHandle, quiet: float = 1.0, bound: float = 15.0) -> Live:
    """The API once no resource has come or gone for `quiet` seconds: requests that were in flight when the
    CLI died still land (the API finishes them without a client)."""
    deadline = time.monotonic() + bound
    before = live(cloud)
    while True:
        time.sleep(quiet)
        now = live(cloud)
        ids = [{r["id"] for v in snap.values() for r in v} for snap in (before, now)]
        if ids[0] == ids[1] or time.monotonic() > deadline:
            return now
        before = now


# -- the stack and its state ------------------------------------------------------------------------------


def fast_project(tmp_path: Path, cloud: CloudHandle, **config: str) -> PulumiProject:
    project = project_for(HERE / "mixed_stack", tmp_path / "proj", cloud, **{"t:count": str(COUNT), **config})
    project.env.update(FAST)  # every command of this project runs in fast mode
    return project


def lock_files(project: PulumiProject) -> list[Path]:
    return [p for p in project.state_dir.glob(".pulumi/locks/**/*.json") if p.is_file()]


def declared_state(project: PulumiProject) -> dict[str, Any]:
    """The stack's Custom Cloud resources in the state, by name."""
    latest = project.state()["checkpoint"].get("latest") or {}
    assert not latest.get("pending_operations"), latest.get("pending_operations")
    return {
        r["urn"].rsplit("::", 1)[-1]: r
        for r in latest.get("resources") or []
        if r["type"].startswith(TYPE_PREFIX)
    }


def cancel_lock(project: PulumiProject) -> None:
    """The killed run kept the DIY backend's lock: a command fails on it until `pulumi cancel`."""
    assert lock_files(project), "the killed run left no lock file"
    locked = project.run("up", "--yes", "--skip-preview", "--stack", project.stack, check=False)
    assert locked.returncode != 0 and "locked" in locked.stdout + locked.stderr, locked.stdout[-2000:]
    project.run("cancel", "--yes", "--stack", project.stack, timeout=RUN_TIMEOUT)
    assert not lock_files(project)


def assert_converged(project: PulumiProject, cloud: CloudHandle, label: str | None = None) -> Live:
    """The state holds exactly the declared resources, the API exactly one of each name, ready, with the
    state's ids (no duplicate, no orphan, in every collection), and a preview finds nothing to do."""
    snapshot = live(cloud)
    assert duplicates(snapshot) == {}
    assert {c: sorted(r["name"] for r in items) for c, items in snapshot.items()} == DECLARED
    for collection, items in snapshot.items():
        ready = READY.get(collection, "available")
        assert all(r["status"] == ready for r in items), (collection, summary(snapshot))
    state = declared_state(project)
    assert sorted(state) == sorted(n for names in DECLARED.values() for n in names)
    live_ids = {r["id"]: r for items in snapshot.values() for r in items}
    assert sorted(r["id"] for r in state.values()) == sorted(live_ids)
    for name, resource in state.items():  # each carries its own ownership label, hidden from the state
        labels = live_ids[resource["id"]]["labels"]
        assert labels.get(OWNER_LABEL) == hashlib.sha256(resource["urn"].encode()).hexdigest()[:16], name
        assert OWNER_LABEL not in resource["outputs"].get("labels", {})
        assert {k: v for k, v in labels.items() if k != OWNER_LABEL} == ({"release": label} if label else {})
    lb = next(r for r in snapshot["load-balancers"])
    assert sorted(lb["target_instance_ids"]) == sorted(r["id"] for r in snapshot["instances"])
    project.preview("--expect-no-changes")
    return snapshot


def assert_empty(project: PulumiProject, cloud: CloudHandle) -> None:
    snapshot = live(cloud)
    assert count(snapshot) == 0, summary(snapshot)
    assert declared_state(project) == {}


def report(case: str, kill: Kill, **more: Any) -> None:
    line = {
        "case": case,
        "seconds_to_kill": kill.seconds_to_kill,
        "api_at_kill": summary(kill.at_kill),
        "api_settled_after_kill": summary(kill.after),
        "outlived_cli": kill.survivors,
        **more,
    }
    print(f"\nfast-mode: {json.dumps(line, sort_keys=True)}")


# -- kill points -------------------------------------------------------------------------------------------

UP_KILL_POINTS: dict[str, Callable[[Live], bool]] = {
    # the first create request has reached the API (the network or the volume; the subnets' creates are
    # held at the API for EARLY_HOLD_MS, so that the kill lands before the rest of the stack follows)
    "early": lambda s: count(s) >= 1,
    # about half: network, subnets and volume made, half of the servers booted, the rest in flight or queued
    "middle": lambda s: count(s, "instances", "running") >= COUNT // 2,
    # every resource exists in the API (the load balancer still booting): before the final state write
    "late": lambda s: count(s) == TOTAL,
}

DESTROY_KILL_POINTS: dict[str, Callable[[Live], bool]] = {
    # the first delete has reached the API (the load balancer deleting or the volume gone)
    "early": lambda s: count(s) < TOTAL or any(r["status"] == "deleting" for v in s.values() for r in v),
    # about half: load balancer and volume gone, half of the servers deleting or gone
    "middle": lambda s: COUNT - count(s, "instances") + count(s, "instances", "deleting") >= COUNT // 2,
    # every server gone (subnets and network going or gone): before the final state write
    "late": lambda s: count(s, "instances") == 0,
}


UP_CASES = [*UP_KILL_POINTS, "middle+orphans"]
"""The kill points; `+orphans`: the processes that outlive the CLI keep running through the recovery."""


@pytest.mark.parametrize("case", UP_CASES)
def test_up_killed_then_up_again_converges(tmp_path: Path, sessions: list[int], case: str) -> None:
    point, orphans = case.split("+")[0], case.endswith("+orphans")
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=BOOT_DELAY) as cloud:
        project = fast_project(tmp_path, cloud)
        if point == "early":
            slow_route(cloud, "POST /v1/subnets", EARLY_HOLD_MS)
        kill = run_and_kill(project, cloud, sessions, "up", UP_KILL_POINTS[point], keep_orphans=orphans)
        slow_route(cloud, "POST /v1/subnets", 0)
        assert count(kill.at_kill) >= 1
        assert declared_state(project) == {}  # fast mode: nothing of the killed run reached the state
        cancel_lock(project)
        started = time.monotonic()
        project.run("up", "--yes", "--skip-preview", "--stack", project.stack, timeout=RUN_TIMEOUT)
        recovery = round(time.monotonic() - started, 2)
        snapshot = assert_converged(project, cloud)
        made_by_killed_run = {r["id"] for v in kill.after.values() for r in v}
        assert made_by_killed_run <= {r["id"] for v in snapshot.values() for r in v}  # found, not remade
        report(f"up/{case}", kill, recovery_seconds=recovery, duplicates=duplicates(snapshot))


def test_up_killed_then_inputs_changed_adopts_by_ownership_label(tmp_path: Path, sessions: list[int]) -> None:
    """Labels changed between the kill and the recovery: every create body differs, so no idempotency key
    replays; every resource the killed run made is adopted through its ownership label and converged."""
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=BOOT_DELAY) as cloud:
        project = fast_project(tmp_path, cloud, **{"t:label": "v1"})
        kill = run_and_kill(project, cloud, sessions, "up", UP_KILL_POINTS["late"])
        cancel_lock(project)
        project.config_set("t:label", "v2")
        started = time.monotonic()
        project.run("up", "--yes", "--skip-preview", "--stack", project.stack, timeout=RUN_TIMEOUT)
        recovery = round(time.monotonic() - started, 2)
        snapshot = assert_converged(project, cloud, label="v2")
        assert {r["id"] for v in kill.after.values() for r in v} == {
            r["id"] for v in snapshot.values() for r in v
        }
        report("up/late+relabel", kill, recovery_seconds=recovery, duplicates=duplicates(snapshot))
        project.run("destroy", "--yes", "--skip-preview", "--stack", project.stack, timeout=RUN_TIMEOUT)
        assert_empty(project, cloud)


@pytest.mark.parametrize("point", list(DESTROY_KILL_POINTS))
def test_destroy_killed_then_destroy_again_leaves_nothing(
    tmp_path: Path, sessions: list[int], point: str
) -> None:
    with running_cloud(tmp_path, lifecycle="timed", boot_delay=BOOT_DELAY) as cloud:
        project = fast_project(tmp_path, cloud)
        project.run("up", "--yes", "--skip-preview", "--stack", project.stack, timeout=RUN_TIMEOUT)
        assert count(live(cloud)) == TOTAL
        kill = run_and_kill(project, cloud, sessions, "destroy", DESTROY_KILL_POINTS[point])
        assert len(declared_state(project)) == TOTAL  # fast mode: the state still lists everything
        cancel_lock(project)
        started = time.monotonic()
        project.run("destroy", "--yes", "--skip-preview", "--stack", project.stack, timeout=RUN_TIMEOUT)
        recovery = round(time.monotonic() - started, 2)
        assert_empty(project, cloud)
        report(f"destroy/{point}", kill, recovery_seconds=recovery, left_at_kill=count(kill.at_kill))
