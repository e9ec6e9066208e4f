"""Large stacks: `pulumi up`, a no-op `up` and `pulumi destroy` of N servers, per backend and checkpoint mode.

    source scripts/env.sh && python bench/large_stack.py [--servers N | --full] [--parallel 100]
        [--backends file,postgres] [--checkpoints off,on] [--programs sdk,plain] [--phase-timeout SECONDS]

Size: 200 servers by default (what `make bench` runs: ≈ 3 min for the four configurations on two CPUs);
`--full` runs the 1,000 servers the goals below are stated for (≈ 25 min, most of it the checkpoints-on
runs, whose state writes grow with the square of the stack: `--checkpoints off` alone takes ≈ 3 min).

For each backend (`file://` in a temporary folder; Pulumi's PostgreSQL DIY backend on a throwaway server that
this script starts on 127.0.0.1, like tests/support/postgres.py, and removes at the end) and each checkpoint
mode (`on`: the engine writes the state after every step; `off`: `PULUMI_SKIP_CHECKPOINTS=true`, the state is
written once at the end), on a fresh emulator (`--lifecycle immediate`, record hosts) and a fresh stack:

1. baseline: `pulumi up` and `pulumi destroy` of the same program with 0 servers (the engine, the language
   host and `import provisioning`; the fastest of two runs each);
2. `pulumi up` of N `Server`s, then a no-op `pulumi up` (no changes), then `pulumi stack export` (state
   bytes per server: the exported checkpoint JSON's size / N), then `pulumi destroy`.

Each configuration runs two programs (`--programs`): `sdk`, N `Server`s of this SDK, and `plain`, N of the
smallest dynamic resource plain Pulumi offers (a provider class in the program whose `create` returns its
inputs: no SDK, no API; its one concession, a deeper recursion limit, because plain dynamic resources end
in RecursionError past a few hundred, pulumi#17803), so that the SDK's share of each phase reads as a ratio
from the same run.

Every command runs with `--parallel P` and `PULUMI_PARALLEL=P`. Prints a table: seconds, ms per resource
over the baseline ((t - empty-program t) / N; `up` and the no-op against the empty `up`, `destroy` against
the empty `destroy`), the goals with checkpoints off (up ≤ 15 ms/resource, destroy ≤ 10 ms/resource), and,
where both modes ran, the share of time spent writing state with checkpoints on, estimated as
(t_on - t_off) / t_on, and the CPU seconds of each phase: the CLI with its language and dynamic provider
hosts, the emulator, the PostgreSQL server with its backends. The load average is sampled every 2 s during
each configuration (other processes share the CPUs: compare figures taken under similar load; the provider
host's ~100 busy threads of a large `up` alone lift it for a moment).

Bounded: a phase that exceeds `--phase-timeout` (default 60 s + 1 s per server) is killed with its whole
process group (the CLI, the language host, the dynamic provider host). Cleaned up, also on failure or
timeout: stacks destroyed (else removed with `stack rm --force`), the emulator and PostgreSQL stopped, the
temporary folders removed. Not a test: it prints figures and exits 0 unless a phase failed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.plain_pulumi import PLAIN_RESOURCE  # noqa: E402
from tests.support.cloud import CloudHandle, running_cloud  # noqa: E402
from tests.support.postgres import running_postgres  # noqa: E402
from tests.support.pulumi_cli import require_engine  # noqa: E402

PROJECT = "bench-large-stack"
PROGRAM = """\
import pulumi
from provisioning.providers.custom_cloud import Server

config = pulumi.Config("bench")
count = config.get_int("servers") or 0
servers = [Server(f"s-{n}", machine_type="micro", zone="us-west-1a") for n in range(count)]
pulumi.export("count", len(servers))
"""
PLAIN_PROGRAM = (
    PLAIN_RESOURCE
    + """\
count = pulumi.Config("bench").get_int("servers") or 0
servers = [Plain(f"s-{n}", machine_type="micro", zone="us-west-1a") for n in range(count)]
pulumi.export("count", len(servers))
"""
)
PROGRAMS = {"sdk": (PROGRAM, "custom-cloud:Server"), "plain": (PLAIN_PROGRAM, "dynamic:Resource")}
"""Each program and the type its resources' type token ends with."""
GOALS_MS = {
    ("off", "up"): 10.0,
    ("off", "no-op up"): 5.0,
    ("on", "up"): 30.0,
    ("on", "destroy"): 20.0,
}
"""The SDK's goals per resource over the empty program, by checkpoint mode and phase."""
STATE_GOAL_BYTES = 1000
"""State per server as stored (compact JSON)."""
PHASES = ("up", "no-op up", "destroy")


class PhaseFailed(RuntimeError):
    pass


@dataclass
class Result:
    backend: str
    checkpoints: str
    program: str = "sdk"
    baseline_up: float = 0.0
    baseline_destroy: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, tuple[float, float, float | None]] = field(default_factory=dict)
    """Per phase: CPU seconds of the CLI with its plugins (language, provider hosts), emulator, PostgreSQL."""
    state_bytes: int = 0
    state_bytes_compact: int = 0
    load: list[float] = field(default_factory=list)


class LoadSampler:
    """The 1-minute load average every `period` seconds, in a daemon thread, until stopped."""

    def __init__(self, period: float = 2.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(period,), daemon=True)

    def _run(self, period: float) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(period)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class Stack:
    """A temporary Pulumi project (Pulumi.yaml pointing at the repo's .venv) with one stack."""

    workdir: Path
    name: str
    env: dict[str, str]
    parallel: int
    last_cpu: float = 0.0
    """CPU seconds (user + system) of the last command and the descendants it reaped."""

    @classmethod
    def create(cls, workdir: Path, name: str, env: dict[str, str], parallel: int, program: str) -> Stack:
        workdir.mkdir(parents=True)
        (workdir / "Pulumi.yaml").write_text(
            f"name: {PROJECT}\nruntime:\n  name: python\n  options:\n    virtualenv: {REPO / '.venv'}\n"
        )
        (workdir / "__main__.py").write_text(PROGRAMS[program][0])
        stack = cls(workdir, name, env, parallel)
        stack.run("stack", "init", name, timeout=120)
        return stack

    def run(self, *args: str, timeout: float, check: bool = True) -> tuple[float, str]:
        """Runs `pulumi <args>` in its own process group; kills the group past `timeout`. (seconds, stdout)"""
        command = [require_engine(), *args, "--non-interactive"]
        started = time.monotonic()
        cpu_before = _children_cpu()
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen(command, cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=err, text=True, start_new_session=True)  # fmt: skip
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise PhaseFailed(f"`pulumi {' '.join(args)}` exceeded {timeout:.0f} s: killed") from None
            finally:
                _kill_group(proc)  # the dynamic provider host can outlive the CLI
            elapsed = time.monotonic() - started
            self.last_cpu = _children_cpu() - cpu_before
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if check and proc.returncode != 0:
            raise PhaseFailed(
                f"`pulumi {' '.join(args)}` exited {proc.returncode}\n{stdout[-3000:]}\n{stderr[-3000:]}"
            )
        return elapsed, stdout

    def config_set(self, key: str, value: str) -> None:
        self.run("config", "set", key, value, "--stack", self.name, timeout=120)

    def up(self, timeout: float) -> float:
        p = str(self.parallel)
        return self.run(
            "up", "--yes", "--skip-preview", "--parallel", p, "--stack", self.name, timeout=timeout
        )[0]

    def destroy(self, timeout: float) -> float:
        p = str(self.parallel)
        args = ("destroy", "--yes", "--skip-preview", "--parallel", p, "--stack", self.name)
        return self.run(*args, timeout=timeout)[0]

    def export(self) -> str:
        return self.run("stack", "export", "--stack", self.name, timeout=300)[1]

    def resource_count(self) -> int:
        return len(json.loads(self.export())["deployment"].get("resources") or [])

    def clean_up(self, timeout: float) -> None:
        """Best effort after a failure: unlock, destroy, else forget the stack."""
        try:
            self.run("cancel", "--yes", "--stack", self.name, timeout=60, check=False)
            self.run("refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--stack", self.name,
                     timeout=timeout, check=False)  # fmt: skip
            self.destroy(timeout)
            self.run("stack", "rm", "--yes", "--stack", self.name, timeout=120)
        except PhaseFailed as error:
            print(f"    cleanup: {str(error).splitlines()[0]}; removing the stack with --force", flush=True)
            self.run("stack", "rm", "--yes", "--force", "--stack", self.name, timeout=120, check=False)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name (field 3, the state, first); [] if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _process_cpu(pid: int, *, with_children: bool = False) -> float:
    """CPU seconds (user + system) of a running process; with its reaped and its live children if asked."""
    fields = _stat(pid)
    if not fields:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])  # children it has waited for (closed connections)
        for proc in Path("/proc").iterdir():
            child = _stat(proc.name) if proc.name.isdigit() else []
            if child and int(child[1]) == pid:  # live backends (open connections)
                ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _postmaster_pid(port: int) -> int | None:
    """The PostgreSQL server started with `-p PORT` (its backends are its children)."""
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0") if proc.name.isdigit() else []
        except OSError:
            continue
        if argv and argv[0].endswith(b"/postgres") and b"-p" in argv and str(port).encode() in argv:
            return int(proc.name)
    return None


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait(timeout=10)


def environment(
    backend_url: str, checkpoints: str, parallel: int, cloud: CloudHandle, logs: Path
) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PULUMI_SKIP_CHECKPOINTS", "PULUMI_PARALLEL"):
        env.pop(name, None)
    env.update(
        PULUMI_BACKEND_URL=backend_url,
        PULUMI_PARALLEL=str(parallel),
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        PULUMI_SELF_MANAGED_STATE_NO_LEGACY_WARNING="true",
        PULUMI_CONFIG_PASSPHRASE=env.get("PULUMI_CONFIG_PASSPHRASE", "dev-only-not-a-secret"),
        CUSTOM_CLOUD_API_KEY=cloud.api_key,  # the env fallback: no key in argv or in the stack config
        PROVISIONING_LOG_DIR=str(logs),
    )
    if checkpoints == "off":
        env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    return env


def run_configuration(
    backend: Backend, checkpoints: str, opts: argparse.Namespace, tmp: Path, program: str = "sdk"
) -> Result:
    result = Result(backend.name, checkpoints, program)
    n = opts.servers
    label = f"{program}, {backend.name}, checkpoints {checkpoints}"
    root = tmp / f"{program}-{backend.name}-{checkpoints}"
    root.mkdir()
    with running_cloud(root, lifecycle="immediate") as cloud, LoadSampler() as load:
        env = environment(backend.url, checkpoints, opts.parallel, cloud, root / "logs")
        stack = Stack.create(
            root / "project", f"{program}-{backend.name}-{checkpoints}", env, opts.parallel, program
        )
        done = False
        try:
            stack.config_set("custom-cloud:apiUrl", cloud.url)
            stack.config_set("bench:servers", "0")
            ups, downs = [], []
            for _ in range(2):
                ups.append(stack.up(opts.phase_timeout))
                downs.append(stack.destroy(opts.phase_timeout))
            result.baseline_up, result.baseline_destroy = min(ups), min(downs)
            base = f"baseline up {result.baseline_up:.2f} s, destroy {result.baseline_destroy:.2f} s"
            print(f"  {label}: {base}", flush=True)

            stack.config_set("bench:servers", str(n))

            def phase(name: str, command: Callable[[float], float]) -> None:
                emulator_before = _process_cpu(cloud.process.pid)
                server_before = backend.server_cpu() if backend.server_cpu else 0.0
                result.seconds[name] = command(opts.phase_timeout)
                emulator = _process_cpu(cloud.process.pid) - emulator_before
                server = backend.server_cpu() - server_before if backend.server_cpu else None
                result.cpu[name] = (stack.last_cpu, emulator, server)
                db = "" if server is None else f", PostgreSQL {server:.1f}"
                print(f"  {label}: {name} {result.seconds[name]:.2f} s (CPU s: pulumi and hosts "
                      f"{stack.last_cpu:.1f}, emulator {emulator:.1f}{db})", flush=True)  # fmt: skip

            phase("up", stack.up)
            phase("no-op up", stack.up)
            exported = stack.export()
            deployment = json.loads(exported)
            resources = deployment["deployment"].get("resources") or []
            servers = [r for r in resources if r["type"].endswith(PROGRAMS[program][1])]
            if len(servers) != n:
                raise PhaseFailed(f"the state holds {len(servers)} servers, expected {n}")
            result.state_bytes = len(exported.encode())
            result.state_bytes_compact = len(json.dumps(deployment, separators=(",", ":")).encode())
            phase("destroy", stack.destroy)
            left = stack.resource_count()
            if left:
                raise PhaseFailed(f"{left} resources left in the state after destroy")
            with cloud.client() as api:
                live = api.get("/instances", params={"page_size": 10}).json()["items"]
            if live:
                raise PhaseFailed(f"instances left in the emulator after destroy: {len(live)}+")
            stack.run("stack", "rm", "--yes", "--stack", stack.name, timeout=120)
            done = True
        finally:
            if not done:
                stack.clean_up(opts.phase_timeout)
    result.load = load.samples
    return result


@dataclass(frozen=True)
class Backend:
    name: str
    url: str
    server_cpu: Callable[[], float] | None = None
    """CPU seconds used so far by the state server (PostgreSQL), None for the file backend."""


@contextmanager
def state_backend(name: str, tmp: Path) -> Iterator[Backend]:
    if name == "file":
        state = tmp / "file-state"
        state.mkdir()
        yield Backend(name, f"file://{state}")
    else:
        with running_postgres() as postgres:  # 127.0.0.1 + a unix socket in its own temp dir; removed after
            pid = _postmaster_pid(postgres.port)
            cpu = (lambda: _process_cpu(pid, with_children=True)) if pid else None
            yield Backend(name, postgres.url, cpu)


def ms_per_resource(seconds: float, baseline: float, n: int) -> float:
    return (seconds - baseline) / n * 1000


def print_table(results: list[Result], n: int, parallel: int) -> None:
    by_key = {(r.program, r.backend, r.checkpoints): r for r in results}
    print()
    print(f"servers={n}  --parallel {parallel}  emulator --lifecycle immediate (record hosts)  "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    header = (f"{'program':<8}{'backend':<9}{'ckpt':<5}{'phase':<10}{'seconds':>9}{'ms/res':>9}  "
              f"{'goal (sdk)':<18}{'state-write share':>18}"
              f"{'CPU s pulumi/emulator/PostgreSQL':>34}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for r in results:
        for phase in PHASES:
            if phase not in r.seconds:
                continue
            ms = _ms(r, phase, n)
            goal = ""
            limit = GOALS_MS.get((r.checkpoints, phase))
            if r.program == "sdk" and limit is not None:
                goal = f"<= {limit:.0f} ms: {'met' if ms <= limit else 'MISSED'}"
            share = ""
            other = by_key.get((r.program, r.backend, "off"))
            if r.checkpoints == "on" and other is not None and phase in other.seconds:
                t_on, t_off = r.seconds[phase], other.seconds[phase]
                share = f"{(t_on - t_off) / t_on * 100:.0f} %"
            cpu, emulator, server = r.cpu.get(phase, (0.0, 0.0, None))
            db = "-" if server is None else f"{server:.1f}"
            figures = f"{r.seconds[phase]:>9.2f}{ms:>9.2f}  {goal:<18}{share:>18}"
            figures += f"{cpu:>15.1f} /{emulator:>6.1f} /{db:>9}"
            print(f"{r.program:<8}{r.backend:<9}{r.checkpoints:<5}{phase:<10}{figures}")
    print()
    print(f"{'program':<8}{'backend':<9}{'ckpt':<5}{'baseline up':>12}{'baseline destroy':>18}"
          f"{'state B/server':>16}{'(compact)':>11}{'load avg min/mean/max':>24}")  # fmt: skip
    for r in results:
        load = f"{min(r.load):.2f}/{statistics.mean(r.load):.2f}/{max(r.load):.2f}" if r.load else "-"
        compact = r.state_bytes_compact / n
        met = "" if r.program != "sdk" else f"  goal <= {STATE_GOAL_BYTES}: "
        met += "" if r.program != "sdk" else ("met" if compact <= STATE_GOAL_BYTES else "MISSED")
        print(f"{r.program:<8}{r.backend:<9}{r.checkpoints:<5}{r.baseline_up:>11.2f}s"
              f"{r.baseline_destroy:>17.2f}s{r.state_bytes / n:>16.0f}{compact:>11.0f}"
              f"{load:>24}{met}")  # fmt: skip
    shares = [(r, by_key.get(("plain", r.backend, r.checkpoints))) for r in results if r.program == "sdk"]
    if any(plain is not None for _, plain in shares):
        print()
        print("the SDK against plain Pulumi (ms/res of the sdk program / of the plain one, same run):")
        for r, plain in shares:
            if plain is None:
                continue
            cells = [
                f"{phase} {_ms(r, phase, n):.2f}/{_ms(plain, phase, n):.2f} = "
                f"{_ms(r, phase, n) / max(_ms(plain, phase, n), 0.01):.2f}x"
                for phase in PHASES
                if phase in r.seconds and phase in plain.seconds
            ]
            print(f"  {r.backend}, checkpoints {r.checkpoints}: " + "; ".join(cells))
    print()
    print(
        "ms/res = (t - t of the same command on the empty program) / servers; state B/server = bytes of "
        "`pulumi stack export` / servers (compact: re-serialized without indentation, as the backends "
        "store it); state-write share = (t_on - t_off) / t_on; CPU s = user + system seconds of the CLI "
        "with its language and provider hosts, of the emulator and of the PostgreSQL server with its "
        "backends. PostgreSQL runs with fsync=off (tests/support/postgres.py); a no-op up writes no step: "
        "its share is noise."
    )


def _ms(result: Result, phase: str, n: int) -> float:
    base = result.baseline_destroy if phase == "destroy" else result.baseline_up
    return ms_per_resource(result.seconds[phase], base, n)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--servers", type=int, default=200, help="servers per stack (default 200)")
    parser.add_argument("--full", action="store_true", help="1000 servers (the goals' size)")
    parser.add_argument("--quick", action="store_true", help="200 servers (the default)")
    parser.add_argument("--parallel", type=int, default=100, help="--parallel, PULUMI_PARALLEL")
    parser.add_argument("--backends", default="file,postgres", help="comma-separated: file, postgres")
    parser.add_argument("--checkpoints", default="off,on", help="comma-separated: off, on")
    parser.add_argument("--programs", default="sdk,plain", help="comma-separated: sdk, plain")
    parser.add_argument("--phase-timeout", type=float, default=None,
                        help="seconds before a phase is killed (default 60 + 1 per server)")  # fmt: skip
    opts = parser.parse_args()
    if opts.full:
        opts.servers = 1000
    elif opts.quick:
        opts.servers = 200
    if not 1 <= opts.servers <= 20000:
        parser.error("--servers must be within 1..20000")
    opts.parallel = max(1, opts.parallel)
    backends = [b.strip() for b in opts.backends.split(",") if b.strip()]
    modes = [m.strip() for m in opts.checkpoints.split(",") if m.strip()]
    programs = [p.strip() for p in opts.programs.split(",") if p.strip()]
    if not programs or set(programs) - set(PROGRAMS):
        parser.error("--programs takes sdk,plain")
    if not backends or set(backends) - {"file", "postgres"} or not modes or set(modes) - {"off", "on"}:
        parser.error("--backends takes file,postgres and --checkpoints takes off,on")
    if opts.phase_timeout is None:
        opts.phase_timeout = 60.0 + opts.servers
    require_engine()
    print(f"large stack: {opts.servers} servers, programs {programs}, backends {backends}, "
          f"checkpoints {modes}, --parallel {opts.parallel}, phase limit {opts.phase_timeout:.0f} s; "
          f"load average before {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip
    results: list[Result] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-large-stack-") as tmp_name:
        tmp = Path(tmp_name)
        for backend in backends:
            try:
                with state_backend(backend, tmp) as state:
                    for mode in modes:
                        for program in programs:
                            results.append(run_configuration(state, mode, opts, tmp, program))
            except PhaseFailed as error:
                failed = True
                print(f"  {backend}: FAILED: {error}", flush=True)
    if results:
        print_table(results, opts.servers, opts.parallel)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
