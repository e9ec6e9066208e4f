"""`provisioning status STACK`: the live health of a stack's task services, checked now.

How: each task service's health step is a `remote.Command` whose recorded inputs are the exact script it
ran, its secret (stdin) and its SSH connection (key, pinned host key). `status` runs that same script again
over SSH with the `ssh` binary: the private key goes into a private `ssh-agent` on its stdin (never a file,
a command line or a message), the recorded host key is the only one accepted, and the health records it
prints are read as the `up` reads them. The stack's secrets come from `pulumi stack export --show-secrets`
(the stack's passphrase) and stay in memory."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CliError
from ._health_records import HealthProbe, ServiceStatus
from ._stack import add_stack_arguments, export_stack
from ._table import render_table

if TYPE_CHECKING:
    from ._common import Subcommands

__all__ = [
    "HealthProbe",
    "ServiceStatus",
    "probes_from_state",
    "read_result",
    "register",
    "run_probe",
    "status_of",
]

COMMAND_TYPE = "command:remote:Command"
"""The resource type of a task service's steps."""
SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The key Pulumi marks a secret value with in a stack export."""
TIMEOUT = 120.0
"""Seconds one health check may take, SSH included."""


def _reveal(value: Any, what: str) -> Any:
    """A value of the export with Pulumi's secret wrapper removed (needs `--show-secrets`)."""
    if isinstance(value, Mapping) and value.get(SECRET_SIG) == "1b47061264138c4ac30d75fd1eb44270":
        if "plaintext" in value:
            return json.loads(str(value["plaintext"]))
        if "value" in value:
            return value["value"]
        raise CliError(f"{what} is encrypted in the export: status needs the stack's passphrase")
    return value


def _servers(resources: Sequence[Mapping[str, Any]]) -> dict[tuple[str, int], str]:
    found = {}
    for resource in resources:
        outputs = resource.get("outputs") or {}
        host = outputs.get("ssh_host") or outputs.get("sshHost")
        port = outputs.get("ssh_port") or outputs.get("sshPort")
        if isinstance(host, str) and isinstance(port, int | float):
            found[(host, int(port))] = str(resource.get("urn", "")).rsplit("::", 1)[-1]
    return found


def probes_from_state(deployment: Mapping[str, Any]) -> list[HealthProbe]:
    """The health steps of every task service in a `pulumi stack export --show-secrets` document."""
    from provisioning.sdk.registry import declaration_for_type

    resources = list(deployment.get("deployment", {}).get("resources", []) or [])
    servers = _servers(resources)
    probes = []
    for service in resources:
        kind = str(service.get("type", ""))
        declaration = declaration_for_type(kind)
        if declaration is None or declaration.kind != "taskserv":
            continue
        urn = str(service.get("urn", ""))
        name = urn.rsplit("::", 1)[-1]
        steps = [
            r
            for r in resources
            if r.get("parent") == urn
            and r.get("type") == COMMAND_TYPE
            and str(r.get("urn", "")).endswith("health")
        ]
        for step in steps:
            step_name = str(step["urn"]).rsplit("::", 1)[-1].removeprefix(name + "-")
            part = step_name.removesuffix("health").rstrip("-")
            probes.append(_probe(name if not part else f"{name} ({part})", kind, step, servers, urn))
    return probes


def _probe(
    service: str, kind: str, step: Mapping[str, Any], servers: Mapping[tuple[str, int], str], urn: str
) -> HealthProbe:
    inputs = step.get("inputs") or {}
    what = f"{service}'s health step"
    conn = _reveal(inputs.get("connection") or {}, f"{what}'s connection")
    host = str(_reveal(conn.get("host", ""), "host"))
    port = int(_reveal(conn.get("port", 22), "port"))
    key = _reveal(conn.get("privateKey"), f"{what}'s private key")
    host_key = _reveal(conn.get("hostKey"), f"{what}'s host key")
    script = _reveal(inputs.get("update") or inputs.get("create"), f"{what}'s script")
    stdin = _reveal(inputs.get("stdin"), f"{what}'s secret input")
    if not isinstance(key, str) or not key or not isinstance(host_key, str) or not host_key:
        raise CliError(f"{what} records no private key and host key: status checks only pinned SSH hosts")
    return HealthProbe(
        service=service,
        type=kind,
        server=servers.get((host, port), f"{host}:{port}"),
        host=host,
        port=port,
        user=str(_reveal(conn.get("user", "root"), "user") or "root"),
        host_key=host_key,
        private_key=key,
        script=str(script or ""),
        stdin=None if stdin is None else str(stdin),
        urn=urn,
    )


@contextmanager
def _agent(private_key: str) -> Iterator[dict[str, str]]:
    """A private ssh-agent holding `private_key` (given on stdin); the environment that reaches it."""
    with tempfile.TemporaryDirectory(prefix="provisioning-status-") as folder:
        socket = str(Path(folder) / "agent")
        agent = subprocess.Popen(
            ["ssh-agent", "-D", "-a", socket], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            env = {**os.environ, "SSH_AUTH_SOCK": socket}
            deadline = time.monotonic() + 10
            while not Path(socket).exists() and agent.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            while True:  # the socket exists from bind(); until listen() ssh-add cannot connect (exit 2)
                added = subprocess.run(
                    ["ssh-add", "-q", "-"], input=private_key.strip() + "\n", env=env, text=True,
                    capture_output=True, check=False, timeout=30,
                )  # fmt: skip
                if added.returncode != 2 or agent.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            if added.returncode != 0:
                raise CliError(f"ssh-add could not load the stack's SSH key (exit {added.returncode})")
            yield env
        finally:
            agent.terminate()
            agent.wait(timeout=10)


def run_probe(
    probe: HealthProbe, *, timeout: float = TIMEOUT, agent: Mapping[str, str] | None = None
) -> ServiceStatus:
    """Run the health step again over SSH, now, and read its records (`agent`: the environment of an
    ssh-agent already holding the probe's key; else one is started for it)."""
    if agent is None:
        with _agent(probe.private_key) as env:
            return run_probe(probe, timeout=timeout, agent=env)
    env = dict(agent)
    with tempfile.TemporaryDirectory() as folder:
        known = Path(folder) / "known_hosts"
        host = probe.host if probe.port == 22 else f"[{probe.host}]:{probe.port}"
        known.write_text(f"{host} {probe.host_key}\n")
        command = [
            "ssh", "-p", str(probe.port), "-o", f"UserKnownHostsFile={known}",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
            "-o", "LogLevel=ERROR", "-o", "IdentitiesOnly=no", "-F", "/dev/null",
            f"{probe.user}@{probe.host}", probe.script,
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, input=probe.stdin or "", env=env, text=True, capture_output=True,
                check=False, timeout=timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return _status(probe, "unreachable", "health", f"no answer within {timeout:.0f} s", [])
    return read_result(probe, done.returncode, done.stdout, done.stderr)


def read_result(probe: HealthProbe, returncode: int, stdout: str, stderr: str) -> ServiceStatus:
    """What a health step's exit status and output say: its records, else why SSH failed."""
    from provisioning.sdk.taskservice.health import parse_health

    checks = [check.model_dump(mode="json") for check in parse_health(stdout).checks]
    if returncode == 255 or not checks:
        lines = [line for line in stderr.splitlines() if line.strip()]
        why = lines[-1][-300:] if lines else f"exit {returncode}, no health records"
        return _status(probe, "unreachable", "ssh", why, checks)
    failed = [check for check in checks if check["status"] != "pass"]
    if failed:
        return _status(probe, "unhealthy", failed[0]["name"], failed[0]["message"], checks)
    return _status(probe, "running", "", "", checks)


def _status(
    probe: HealthProbe, status: str, failing: str, why: str, checks: list[dict[str, str]]
) -> ServiceStatus:
    return ServiceStatus(
        probe.service,
        probe.type,
        probe.server,
        status,
        status == "running",
        failing,
        why,
        checks,
        probe.urn,
        probe.host,
    )


def status_of(probes: Sequence[HealthProbe], *, timeout: float = TIMEOUT) -> list[ServiceStatus]:
    """Every probe run at once (one ssh-agent per private key); results in the probes' order."""
    if not probes:
        return []
    with ExitStack() as agents:
        envs = {key: agents.enter_context(_agent(key)) for key in {p.private_key for p in probes}}
        with ThreadPoolExecutor(max_workers=min(8, len(probes))) as pool:
            return list(pool.map(lambda p: run_probe(p, timeout=timeout, agent=envs[p.private_key]), probes))


def register(commands: Subcommands) -> None:
    """Add `provisioning status`."""
    status = commands.add_parser(
        "status",
        help="live health of a stack's task services",
        description="Run each task service's health check of a stack again, now, over SSH with the "
        "connection the stack recorded (host key pinned), and print what it finds. It reads the stack "
        "with `pulumi stack export --show-secrets`: run it where `pulumi` works for the stack (project "
        "folder, backend, passphrase). Secrets stay in memory and are never printed. Exit status 1 when "
        "a service is unhealthy or unreachable.",
    )
    add_stack_arguments(status)
    status.set_defaults(func=_run)


def _require_ssh() -> None:
    for tool in ("ssh", "ssh-agent", "ssh-add"):
        if shutil.which(tool) is None:
            raise CliError(f"{tool} is not on PATH: apt-get install openssh-client")


def _run(args: argparse.Namespace) -> int:
    from ._cluster_view import clusters_from_state, render_clusters

    _require_ssh()
    deployment = export_stack(args.stack, args.cwd, show_secrets=True)
    found = status_of(probes_from_state(deployment))
    clusters = [cluster.with_statuses(found) for cluster in clusters_from_state(deployment)]
    bad = any(not s.healthy for s in found) or any(not c.healthy for c in clusters)
    if args.json:
        print(
            json.dumps(
                {
                    "stack": args.stack,
                    "healthy": not bad,
                    "services": [asdict(s) for s in found],
                    "clusters": [c.as_json() for c in clusters],
                }
            )
        )
        return 1 if bad else 0
    if not found and not clusters:
        print(f"stack {args.stack} has no task services")
        return 0
    in_clusters = {urn for cluster in clusters for urn in cluster.service_urns}
    if clusters:
        print(render_clusters(clusters))
    others = [s for s in found if s.urn not in in_clusters]
    if others:
        print(render_table(_HEADERS, [_row(s) for s in others]))
    return 1 if bad else 0


_HEADERS = ("service", "server", "status", "healthy", "failing check")


def _row(s: ServiceStatus) -> tuple[str, str, str, str, str]:
    return (
        s.service,
        s.server,
        s.status,
        "yes" if s.healthy else "no",
        f"{s.failing}: {s.why}" if s.failing else "-",
    )
