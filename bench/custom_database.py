"""CustomDatabase: time from a running server to a healthy database, and of a configure-only change.

    python bench/custom_database.py                        # machine hosts, the minimal image
    python bench/custom_database.py --image taskservices   # the image with the task services' packages

Runs a real emulator with machine hosts and examples/database on the real Pulumi engine: the
network, subnet and server come first (`up --target`), then, ROUNDS times, `pulumi up` installs the
CustomDatabase (until its health step passed) and `pulumi destroy --target` removes it; then ROUNDS
configure-only changes (max_connections). For each it prints the `pulumi up` wall time and the time of the
task service's steps on the host (the engine's per-resource durations of the step commands, which run one
after the other); the difference is the engine and the program (start, plan, state). Beside them, in the same
run, ROUNDS `pulumi up` of an empty program (`import pulumi`, nothing declared) on the same backend: the floor
any `up` pays; and ROUNDS of the same change in plain Pulumi (three dynamic resources with no SDK and six
chained `command:local` steps, the last two updated by a config change, as the configure-only change
updates two): the floor of a stack with a dynamic provider and the command plugin, so the SDK's own share
reads as a difference and a ratio. Goals: install ≤ 5 s, configure-only ≤ 2 s, and a configure-only
change's own cost (`up` minus the steps on the host) ≤ the empty program's `up` + 0.5 s. Prints figures;
not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.plain_pulumi import PLAIN_RESOURCE  # noqa: E402
from tests.e2e.taskservice_support import DatabaseStack, database_stack  # noqa: E402
from tests.support.cloud import CloudHandle, start_cloud, stop_cloud  # noqa: E402
from tests.support.pulumi_cli import PulumiProject  # noqa: E402

IMAGES = Path(os.environ.get("TOOLS") or Path(__file__).resolve().parents[1] / ".tools") / "images"
MACHINE_POOL = "100.96.0.0/24"

ROUNDS = 3
URN = "urn:pulumi:test::database::"
DATABASE = URN + "provisioning:taskservs:CustomDatabase::db"
SERVER_ONLY = [URN + f"pulumi-python:dynamic/custom-cloud:{kind}" for kind in
               ("Network::db-net", "Subnet::db-subnet", "Server::db-primary")]  # fmt: skip
STEP_DONE = re.compile(r"command:remote:Command (db-[\w-]+) (?:created|updated) \(([\d.]+)s\)")
PLAIN_STEP_DONE = re.compile(r"command:local:Command (step-\d) (?:created|updated) \(([\d.]+)s\)")
PLAIN_PROGRAM = (
    PLAIN_RESOURCE
    + """\
from pulumi_command.local import Command

network = Plain("net")
subnet = Plain("subnet", network=network.id)
server = Plain("server", subnet=subnet.id)
change = pulumi.Config().get("change") or "0"
previous = [server]
for n in range(6):  # as many steps as CustomDatabase's primary: the last two carry the change
    previous = [Command(f"step-{n}", create=f"true {change if n >= 4 else ''}", opts=pulumi.ResourceOptions(
        depends_on=previous))]
"""
)
"""Plain Pulumi's floor for the same change: three dynamic resources with no SDK (as in
bench/large_stack.py) and six chained local commands, the last two of which a config change updates."""


def timed_up(stack: DatabaseStack) -> tuple[float, dict[str, float]]:
    """`pulumi up` wall time, and each step command's duration as the engine reports it."""
    started = time.monotonic()
    done = stack.project.up()
    wall = time.monotonic() - started
    steps = {name: float(seconds) for name, seconds in STEP_DONE.findall(done.stdout)}
    assert stack.outputs()["healthy"] is True, "the database is not healthy"
    return wall, steps


def own_cost(runs: list[tuple[float, dict[str, float]]]) -> float:
    """The median of `up` wall time minus the steps' own time: what the engine and the program cost."""
    return statistics.median(wall - sum(steps.values()) for wall, steps in runs)


def line(what: str, walls: list[float], hosts: list[float], goal: float) -> str:
    return (f"{what:<28} up wall median {statistics.median(walls):5.2f} s (min {min(walls):.2f}, max "
            f"{max(walls):.2f}) | steps on the host median {statistics.median(hosts):5.2f} s (min "
            f"{min(hosts):.2f}, max {max(hosts):.2f}) | goal ≤ {goal:.0f} s")  # fmt: skip


def python_project(tmp: Path, name: str, program: str) -> PulumiProject:
    """A project named `name` running `program` in this venv, with a stack on a file backend under `tmp`."""
    source = tmp / f"{name}-source"
    source.mkdir()
    venv = Path(sys.executable).parents[1]
    (source / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
    )
    (source / "__main__.py").write_text(program)
    return PulumiProject.copy_of(source, tmp / name)


def empty_program_ups(tmp: Path) -> list[float]:
    """ROUNDS `pulumi up` walls of a program that declares nothing (the same venv, a file backend)."""
    project = python_project(tmp, "empty", "import pulumi\n")
    walls = []
    for _ in range(ROUNDS):
        started = time.monotonic()
        project.up()
        walls.append(time.monotonic() - started)
    return walls


def plain_floor_ups(tmp: Path) -> list[tuple[float, dict[str, float]]]:
    """ROUNDS configure-only `up`s of PLAIN_PROGRAM: wall time, and each updated command's duration."""
    project = python_project(tmp, "plain", PLAIN_PROGRAM)
    project.up()
    ups = []
    try:
        for index in range(ROUNDS):
            project.config_set("plain:change", str(index + 1))
            started = time.monotonic()
            done = project.up()
            wall = time.monotonic() - started
            steps = {name: float(seconds) for name, seconds in PLAIN_STEP_DONE.findall(done.stdout)}
            assert set(steps) == {"step-4", "step-5"}, steps
            ups.append((wall, steps))
    finally:
        project.destroy()
    return ups


@contextmanager
def machine_cloud(tmp: Path, image: str) -> Iterator[CloudHandle]:
    """A local Custom Cloud with machine hosts booted from `image` (`minimal` or `taskservices`)."""
    path = IMAGES / ("debian-12" if image == "minimal" else f"debian-12-{image}")
    os.environ["PROVISIONING_MACHINE_IMAGE"] = str(path)  # the emulator process inherits it
    state = tmp / "cloud"
    state.mkdir()
    cloud = start_cloud(state / "custom-cloud.db", hosts="machine", public_pool=MACHINE_POOL, timeout=60)
    try:
        yield cloud
    finally:
        stop_cloud(cloud.process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", choices=("minimal", "taskservices"), default="minimal",
                        help="machine hosts' image")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-custom-database-") as folder:
        tmp = Path(folder)
        empty = empty_program_ups(tmp)
        plain = plain_floor_ups(tmp)
        with machine_cloud(tmp, args.image) as cloud:
            stack = database_stack(cloud, tmp, cidr="10.47.0.0/16", settings={})
            try:
                stack.project.up(*[arg for urn in SERVER_ONLY for arg in ("--target", urn)])
                started = time.monotonic()
                stack.project.preview("--target", SERVER_ONLY[-1])
                idle = time.monotonic() - started
                installs: list[tuple[float, dict[str, float]]] = []
                for _ in range(ROUNDS):
                    installs.append(timed_up(stack))
                    stack.project.destroy("--target", DATABASE, "--target-dependents")
                stack.project.up()
                configures: list[tuple[float, dict[str, float]]] = []
                for index in range(ROUNDS):
                    stack.settings({"max_connections": 110 + index})
                    configures.append(timed_up(stack))
                    assert set(configures[-1][1]) == {"db-configure", "db-health"}, configures[-1][1]
            finally:
                stack.project.destroy()
                stack.api.close()
    cpus = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout.strip()
    load = Path("/proc/loadavg").read_text().split()[0]
    host = f"a machine host, {args.image} image"
    print(f"CustomDatabase on {host} ({ROUNDS} rounds each; {cpus} CPUs, load average {load})")
    print(f"{'engine alone':<28} preview of an unchanged server: {idle:.2f} s")
    print(
        line("running server -> healthy", [w for w, _ in installs], [sum(s.values()) for _, s in installs], 5)
    )
    print(
        line("configure-only change", [w for w, _ in configures], [sum(s.values()) for _, s in configures], 2)
    )
    own = own_cost(configures)
    floor = statistics.median(empty)
    plain_own = own_cost(plain)
    print(
        f"{'configure-only, own cost':<28} up minus the steps on the host median {own:5.2f} s | empty "
        f"program's up median {floor:5.2f} s | over it {own - floor:+.2f} s | goal ≤ +0.50 s"
    )
    print(
        f"{'plain Pulumi, same change':<28} up minus the steps median {plain_own:5.2f} s | over the empty "
        f"program's up {plain_own - floor:+.2f} s | the SDK over plain {own - plain_own:+.2f} s "
        f"({own / plain_own:.2f}x)"
    )
    print("install rounds (up wall s): " + ", ".join(f"{w:.2f}" for w, _ in installs))
    for what, runs in (("install", installs), ("configure-only", configures)):
        names = list(dict.fromkeys(name for _, steps in runs for name in steps))
        medians = {name: statistics.median(steps.get(name, 0.0) for _, steps in runs) for name in names}
        print(
            f"{what} steps (median s): "
            + ", ".join(f"{n.removeprefix('db-')} {t:.2f}" for n, t in medians.items())
        )


if __name__ == "__main__":
    main()
