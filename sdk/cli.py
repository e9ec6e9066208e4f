"""The `provisioning` command line: argparse subcommands (`provisioning cloud serve`, …)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from collections.abc import Sequence

__all__ = ["build_parser", "main"]


def _loopback(host: str) -> str:
    try:
        if ipaddress.ip_address(host) in ipaddress.ip_network("127.0.0.0/8"):
            return host
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"{host!r} is not in 127.0.0.0/8 (the local Custom Cloud listens on loopback only)"
    )


def _add_cloud(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cloud = sub.add_parser("cloud", help="the local Custom Cloud")
    cloud_sub = cloud.add_subparsers(dest="cloud_command", required=True)
    serve = cloud_sub.add_parser("serve", help="run the Custom Cloud API service")
    serve.add_argument("--host", type=_loopback, default="127.0.0.1", help="address in 127.0.0.0/8")
    serve.add_argument("--port", type=int, default=8787, help="TCP port; 0 picks a free one and prints it")
    serve.add_argument(
        "--state",
        default=os.environ.get("CUSTOM_CLOUD_STATE", ".state/custom-cloud.db"),
        help="SQLite state file",
    )
    serve.add_argument("--bootstrap-project", default=os.environ.get("CUSTOM_CLOUD_BOOTSTRAP_PROJECT"))
    serve.add_argument(
        "--bootstrap-key",
        default=os.environ.get("CUSTOM_CLOUD_BOOTSTRAP_KEY"),
        help="prefer the env CUSTOM_CLOUD_BOOTSTRAP_KEY (not visible in ps)",
    )
    serve.add_argument(
        "--admin-token",
        default=os.environ.get("CUSTOM_CLOUD_ADMIN_TOKEN"),
        help="prefer the env CUSTOM_CLOUD_ADMIN_TOKEN",
    )
    serve.add_argument("--lifecycle", choices=("immediate", "timed", "manual"), default="timed")
    serve.add_argument("--boot-delay", type=float, default=1.0, help="seconds of timed transitions")
    serve.add_argument("--rate-limit", type=float, default=0.0, help="requests/s per key (0 = off)")
    serve.add_argument("--public-pool", default=None, help="CIDR in 127.0.0.0/8 for public IP records")
    serve.add_argument("--fault-error-rate", type=float, default=0.0)
    serve.add_argument("--fault-latency-ms", type=int, default=0)
    serve.add_argument("--fault-route", action="append", default=None, help='e.g. "POST /v1/instances"')
    serve.add_argument(
        "--hosts",
        choices=("auto", "record", "sandbox"),
        default=os.environ.get("CUSTOM_CLOUD_HOSTS", "auto"),
        help="sandbox (namespace machines; Linux, root), record (no hosts), auto (sandbox where possible)",
    )
    serve.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL")
    serve.add_argument("--log-level", default="warning")
    serve.set_defaults(func=_cloud_serve)


def _cloud_serve(args: argparse.Namespace) -> int:
    import uvicorn  # the server extra: imported only here
    from provisioning.emulator import Settings, create_app
    from provisioning.emulator.hosts import resolve_host_backend

    state_dir = os.path.dirname(os.path.abspath(args.state))
    os.makedirs(state_dir, exist_ok=True)
    extra = {"public_pool": args.public_pool} if args.public_pool else {}
    settings = Settings(
        state_path=args.state,
        bootstrap_project=args.bootstrap_project,
        bootstrap_key=args.bootstrap_key,
        admin_token=args.admin_token,
        lifecycle=args.lifecycle,
        boot_delay_s=args.boot_delay,
        rate_limit=args.rate_limit,
        fault_error_rate=args.fault_error_rate,
        fault_latency_ms=args.fault_latency_ms,
        fault_routes=args.fault_route,
        synchronous=args.synchronous,
        host_backend=resolve_host_backend(args.hosts),
        **extra,
    )
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit TCP_NODELAY on Linux: without it, headers and body written separately
    # meet the client's delayed ACK and every response waits ~40 ms.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    print(f"custom-cloud listening on http://{args.host}:{port}/v1", flush=True)
    server.run(sockets=[sock])
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand (other modules add theirs here)."""
    parser = argparse.ArgumentParser(prog="provisioning", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_cloud(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `provisioning` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ValueError as exc:
        print(f"provisioning: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
