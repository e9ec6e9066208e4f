"""`provisioning cloud`: serve the local Custom Cloud API, print the API key of its default project, list
what a Custom Cloud project holds (`_cloud_list.py`)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from provisioning.emulator.settings import (
    ADMIN_TOKEN_ENV,
    BOOTSTRAP_KEY_ENV,
    BOOTSTRAP_PROJECT_ENV,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_PROJECT,
    DEFAULT_PUBLIC_POOL,
    DEFAULT_STATE,
    HOSTS,
    HOSTS_ENV,
    KEY_SUFFIX,
    LIFECYCLE_MODES,
    MACHINE_PUBLIC_POOL,
    STATE_ENV,
    SYNCHRONOUS_MODES,
    Settings,
    key_path,
)

from ._cloud_list import add_list
from ._common import CliError, command_group
from ._local_service import SecretFile, address_options, cannot_listen, kept, state_option

if TYPE_CHECKING:
    from ._common import Subcommands

__all__ = ["describe_hosts", "ensure_key_file", "read_key_file", "register"]

_DEFAULTS = Settings()
"""The emulator's defaults, which the options of `cloud serve` share."""
_NUMBERS = (
    ("--boot-delay", "boot_delay_s", "SECONDS", "duration of timed transitions"),
    ("--rate-limit", "rate_limit", "RPS", "requests/s per key (0 = off)"),
    (
        "--fault-error-rate",
        "fault_error_rate",
        "SHARE",
        "share (0-1) of requests answered with an injected error",
    ),
    ("--fault-latency-ms", "fault_latency_ms", "MS", "latency added to every request"),
)
"""The numeric options of `cloud serve`: flag, the `Settings` field of its default and type, metavar, help."""
_LISTENING = "custom-cloud listening on http://{host}:{port}/v1"
"""Parsed by tests/support/cloud.py and scripts: keep it exactly."""


def register(commands: Subcommands) -> None:
    """Add `cloud serve`, `cloud key` and `cloud list`."""
    sub = command_group(
        commands,
        "cloud",
        help=f"the local Custom Cloud (the API service on {DEFAULT_HOST}, its key)",
        description=f"The local Custom Cloud: the Custom Cloud API on {DEFAULT_HOST} with its state in "
        "SQLite.",
    )
    _add_serve(sub)
    _add_key(sub)
    add_list(sub)


def _state_arg(parser: argparse.ArgumentParser) -> None:
    state_option(
        parser,
        env=STATE_ENV,
        default=DEFAULT_STATE,
        metavar="PATH",
        help=f"SQLite state file (default: ${STATE_ENV}, else {DEFAULT_STATE}); the API key of "
        f"project {DEFAULT_PROJECT!r} is kept beside it in PATH{KEY_SUFFIX} (mode 0600)",
    )


def _add_serve(sub: Subcommands) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the Custom Cloud API service",
        description=(
            f"Run the Custom Cloud API on {DEFAULT_HOST}. With no bootstrap options it creates project "
            f"{DEFAULT_PROJECT!r} and writes its API key to a 0600 file beside the state file "
            f"(PATH{KEY_SUFFIX}), "
            "reused on every restart; `provisioning cloud key` prints it. It never prints the key."
        ),
    )
    address_options(
        serve,
        host=DEFAULT_HOST,
        host_help="address in 127.0.0.0/8",
        host_type=_loopback,
        port=DEFAULT_PORT,
        port_help=f"TCP port (default: {DEFAULT_PORT}); 0 picks a free one",
    )
    _state_arg(serve)
    serve.add_argument(
        "--bootstrap-project",
        metavar="NAME",
        help="instead of the default project: create project NAME if missing, opened by --bootstrap-key "
        f"(default: ${BOOTSTRAP_PROJECT_ENV}); give both or neither",
    )
    serve.add_argument(
        "--bootstrap-key",
        metavar="KEY",
        help=f"the API key of --bootstrap-project; prefer ${BOOTSTRAP_KEY_ENV} (not visible in ps)",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help=f"bearer token of the /admin routes, off without one; prefer ${ADMIN_TOKEN_ENV}",
    )
    serve.add_argument(
        "--hosts",
        choices=HOSTS,
        default=None,
        help="what runs behind an instance: record = nothing, instances are records only and nothing is "
        "created on this machine; machine = a Debian 12 machine with systemd booted by systemd-nspawn from "
        "the image scripts/machine-image.sh builds, i.e. network namespaces, bridges, routes and cgroups "
        "created on this machine, and a package cache on its own bridge (Linux, root only); "
        f"auto = machine where it can run, else record (default: ${HOSTS_ENV}, else auto)",
    )
    serve.add_argument(
        "--public-pool",
        metavar="CIDR",
        help="range public IPs come from. record hosts: a CIDR in 127.0.0.0/8, records only, nothing "
        f"listens on them (default {DEFAULT_PUBLIC_POOL}); machine hosts: a CIDR in "
        "100.64.0.0/10, addresses on the emulator's own bridges, never routed off this machine "
        f"(default {MACHINE_PUBLIC_POOL})",
    )
    serve.add_argument(
        "--machine-image",
        metavar="PATH",
        help="machine hosts: the Debian 12 image every instance boots (default: $PROVISIONING_MACHINE_IMAGE, "
        "else .tools/images/debian-12, the minimal one make setup builds; .tools/images/"
        "debian-12-taskservices holds the task services' packages too)",
    )
    serve.add_argument(
        "--lifecycle",
        choices=LIFECYCLE_MODES,
        default=_DEFAULTS.lifecycle,
        help="how instances move (provisioning → running, …): at once, after --boot-delay (default), or "
        "by POST /admin/instances/{id}/advance",
    )
    for flag, setting, metavar, text in _NUMBERS:
        default = getattr(_DEFAULTS, setting)
        serve.add_argument(flag, type=type(default), default=default, metavar=metavar, help=text)
    serve.add_argument(
        "--fault-route",
        action="append",
        default=None,
        metavar="ROUTE",
        help='route the faults apply to, e.g. "POST /v1/instances" (repeatable; default: every route)',
    )
    serve.add_argument(
        "--synchronous",
        choices=SYNCHRONOUS_MODES,
        default=_DEFAULTS.synchronous,
        help="SQLite synchronous: FULL survives power loss, NORMAL only a killed process",
    )
    serve.add_argument(
        "--log-level",
        default="warning",
        choices=("critical", "error", "warning", "info", "debug", "trace"),
        help="uvicorn's log level (default: warning)",
    )
    serve.set_defaults(func=_serve)


def _add_key(sub: Subcommands) -> None:
    key = sub.add_parser(
        "key",
        help=f"print the API key of project {DEFAULT_PROJECT!r}",
        description=(
            f"Print the API key of project {DEFAULT_PROJECT!r}, which `provisioning cloud serve` makes "
            "when it has no bootstrap options. For the provider: "
            'pulumi config set --secret custom-cloud:apiKey "$(provisioning cloud key)"'
        ),
    )
    _state_arg(key)
    key.set_defaults(func=_key)


def _loopback(host: str) -> str:
    try:
        if ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8"):
            return host
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"{host!r} is not in 127.0.0.0/8 (the local Custom Cloud listens on loopback only)"
    )


_KEY_FILE = SecretFile(
    prefix="cc_",
    nbytes=32,
    missing="no API key at {path}: start `provisioning cloud serve` once on this state file (without "
    f"bootstrap options): it creates project {DEFAULT_PROJECT!r} and writes its key there",
    open_to_others="run `chmod 600 {path}`",
    not_a_file="{path} is not a file: move it away, `provisioning cloud serve` makes a new key",
    empty="{path} holds no API key: delete it, `provisioning cloud serve` makes a new one",
)
"""The default project's key file."""


def read_key_file(path: Path) -> str:
    """The key in `path`; a `CliError` says what to do when it is missing, open to others or empty."""
    return _KEY_FILE.read(path)


def ensure_key_file(path: Path) -> tuple[str, bool]:
    """The key in `path`, made first (random, mode 0600) when the file is missing; True when made now."""
    return _KEY_FILE.ensure(path)


@dataclass(frozen=True, slots=True)
class _Bootstrap:
    project: str
    key: str
    key_origin: str
    """`--bootstrap-key`, `BOOTSTRAP_KEY_ENV`, or "file" for the default project's key file."""
    state: str = ""
    made: bool = False
    """The key file was made by this start."""

    def lines(self) -> list[str]:
        """The start-up lines about the project (never the key)."""
        if self.key_origin != "file":
            return [f"custom-cloud project: {self.project}, API key from {self.key_origin}"]
        get_key = f"provisioning cloud key --state {shlex.quote(self.state)}"
        return [
            f"custom-cloud project: {self.project}, API key in {key_path(self.state)} ({kept(self.made)})",
            f'  use it: pulumi config set --secret custom-cloud:apiKey "$({get_key})"',
        ]


def _option(args: argparse.Namespace, name: str, env: str) -> tuple[str | None, str]:
    """The value of `--name` (else variable `env`; empty = unset) and which one gave it."""
    flag = "--" + name.replace("_", "-")
    value = getattr(args, name)
    if value:
        return str(value), flag
    return os.environ.get(env) or None, env


def _bootstrap(args: argparse.Namespace, state: str) -> _Bootstrap:
    """The project to create at start and its key: the bootstrap options, else the default project."""
    project, project_origin = _option(args, "bootstrap_project", BOOTSTRAP_PROJECT_ENV)
    key, key_origin = _option(args, "bootstrap_key", BOOTSTRAP_KEY_ENV)
    if key and not project:
        raise CliError(
            f"a bootstrap key ({key_origin}) needs the project it opens: add --bootstrap-project NAME "
            f"(or {BOOTSTRAP_PROJECT_ENV}=NAME), or drop the key to use project {DEFAULT_PROJECT!r} "
            "and its key file"
        )
    if project and not key:
        raise CliError(
            f"bootstrap project {project!r} ({project_origin}) needs its API key: set "
            f"{BOOTSTRAP_KEY_ENV} (or --bootstrap-key KEY), or drop the project to use project "
            f"{DEFAULT_PROJECT!r} and its key file"
        )
    if project and key:
        return _Bootstrap(project, key, key_origin)
    if state == ":memory:":
        raise CliError(
            f"--state :memory: leaves no place for the key of project {DEFAULT_PROJECT!r}: give a state "
            f"file, or --bootstrap-project and {BOOTSTRAP_KEY_ENV}"
        )
    os.makedirs(os.path.dirname(state), mode=0o700, exist_ok=True)  # it will hold the key file
    key, made = ensure_key_file(key_path(state))
    return _Bootstrap(DEFAULT_PROJECT, key, "file", state, made)


def _hosts_choice(args: argparse.Namespace) -> tuple[str, str]:
    """`--hosts` (else `HOSTS_ENV`, else auto) and where it came from."""
    if args.hosts:
        return args.hosts, f"--hosts {args.hosts}"
    env = os.environ.get(HOSTS_ENV) or None
    if env is None:
        return "auto", "--hosts auto, the default"
    if env not in HOSTS:
        raise CliError(f"{HOSTS_ENV}={env!r} is none of {', '.join(HOSTS)}: fix or unset it")
    return env, f"{HOSTS_ENV}={env}"


def describe_hosts(backend: str, choice: str, origin: str, public_pool: str, reason: str | None) -> list[str]:
    """The start-up lines about the host backend: which one, why, what it does to this machine."""
    why = origin + (f": {reason}" if choice == "auto" and reason else "")
    if backend == "machine":
        return [
            f"custom-cloud hosts: machine ({why})",
            "  every running instance is a Debian 12 machine booted by systemd-nspawn: this process",
            "  (root) creates network namespaces, bridges, routes and cgroups on this machine and runs a",
            f"  package cache on its own bridge; public IPs come from {public_pool} on those bridges",
            "  (docs/machine-hosts.md)",
            f"  records only, nothing created on this machine: --hosts record or {HOSTS_ENV}=record",
        ]
    lines = [
        f"custom-cloud hosts: record ({why})",
        "  instances are records only: nothing runs behind them and nothing is created on this machine;",
        f"  public IPs come from {public_pool} and nothing listens on them",
    ]
    if choice == "auto":
        lines.append(
            "  instances you can SSH into: --hosts machine, as root on Linux once `make setup` made its "
            "image (docs/machine-hosts.md)"
        )
    return lines


KEEP_ALIVE_S = 75
"""How long the server keeps an idle connection open: longer than any client keeps one for reuse (httpx: 5 s),
so a client never sends on a connection the server is closing (uvicorn's own 5 s raced httpx's 5 s and reset
requests, as load balancers' idle timeouts outlast their backends' clients for the same reason)."""


def _serve(args: argparse.Namespace) -> int:
    import uvicorn  # the `cloud` extra: loaded only to serve, before anything is written

    choice, hosts_origin = _hosts_choice(args)
    state = args.state if args.state == ":memory:" else os.path.abspath(args.state)
    existed = state == ":memory:" or os.path.exists(state)
    boot = _bootstrap(args, state)
    if state != ":memory:":
        os.makedirs(os.path.dirname(state), mode=0o700, exist_ok=True)
    admin_token, admin_origin = _option(args, "admin_token", ADMIN_TOKEN_ENV)

    from provisioning.emulator import create_app
    from provisioning.emulator.hosts import resolve_host_backend
    from provisioning.emulator.hosts.machine import HostUnavailable

    image = os.path.abspath(args.machine_image) if args.machine_image else None
    backend, reason = resolve_host_backend(choice, image=image)
    sock = _listen(args.host, args.port)  # before the app: a taken port leaves no host state behind
    extra = {"public_pool": args.public_pool} if args.public_pool else {}
    try:
        settings = Settings(
            state_path=state,
            bootstrap_project=boot.project,
            bootstrap_key=boot.key,
            admin_token=admin_token,
            lifecycle=args.lifecycle,
            boot_delay_s=args.boot_delay,
            rate_limit=args.rate_limit,
            fault_error_rate=args.fault_error_rate,
            fault_latency_ms=args.fault_latency_ms,
            fault_routes=args.fault_route,
            synchronous=args.synchronous,
            host_backend=backend,
            machine_image=image,
            **extra,
        )
    except ValueError as exc:
        sock.close()
        raise CliError(str(exc)) from None
    lines = [f"custom-cloud state: {state} ({'existing' if existed else 'new'})", *boot.lines()]
    lines += describe_hosts(backend, choice, hosts_origin, settings.public_pool, reason)
    if backend == "machine":
        from provisioning.emulator.hosts.machine import default_image

        used = Path(settings.machine_image) if settings.machine_image else default_image()
        lines.append(f"custom-cloud machine image: {used.resolve()}")
    if admin_token:
        lines.append(f"custom-cloud admin routes: on (token from {admin_origin})")
    else:
        lines.append(f"custom-cloud admin routes: off (set {ADMIN_TOKEN_ENV} to turn on /admin)")
    print("\n".join(lines), flush=True)  # before the app: machine hosts set up this machine's network
    try:
        app = create_app(settings)
    except HostUnavailable as exc:
        sock.close()
        raise CliError(f"{exc}: for records only, use --hosts record (or {HOSTS_ENV}=record)") from None
    except ValueError as exc:
        sock.close()
        raise CliError(str(exc)) from None
    print(_LISTENING.format(host=args.host, port=sock.getsockname()[1]), flush=True)
    config = uvicorn.Config(
        app, log_level=args.log_level, access_log=False, lifespan="on", timeout_keep_alive=KEEP_ALIVE_S
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit TCP_NODELAY on Linux: without it, headers and body written separately
    # meet the client's delayed ACK and every response waits ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise cannot_listen(host, port, exc, "choose another --port (0 picks a free one)") from None
    return sock


def _key(args: argparse.Namespace) -> int:
    print(read_key_file(key_path(os.path.abspath(args.state))))
    return 0
