"""`provisioning registry`: a PyPI-compatible HTTP package index (pypiserver) for extensions: anyone on this
machine reads it, uploads need the publisher's password, a file that exists is never replaced, and it
listens on loopback unless told otherwise. `registry key` prints the publisher's password."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import CliError, command_group
from ._local_service import SecretFile, address_options, cannot_listen, kept, state_option

if TYPE_CHECKING:
    from ._common import Subcommands

__all__ = ["DEFAULT_STATE", "PUBLISHER", "register"]

DEFAULT_STATE = ".state/registry"
"""The index's folder (packages/, htpasswd, publisher.key) unless --state or PROVISIONING_REGISTRY_STATE."""
PUBLISHER = "publisher"
"""The user uploads authenticate as (TWINE_USERNAME)."""
_LISTENING = "registry listening on http://{host}:{port}/simple/"
"""Parsed by tests: keep it exactly."""


def register(commands: Subcommands) -> None:
    """Add `registry serve` and `registry key`."""
    sub = command_group(
        commands,
        "registry",
        help="a PyPI-compatible HTTP index for extensions (serve it, print its upload password)",
        description="A PyPI-compatible package index (pypiserver) for pip and twine.",
    )
    serve = sub.add_parser(
        "serve",
        help="serve the index",
        description="Serve the index: reading is open, uploads need user 'publisher' and the password in "
        "STATE/publisher.key (made on the first start, mode 0600; `provisioning registry key` prints it). "
        "A file already on the index is refused (409): a published version never changes.",
    )
    address_options(
        serve,
        host="127.0.0.1",
        host_help="address to listen on (default 127.0.0.1)",
        port=8790,
        port_help="TCP port (default 8790); 0 picks a free one",
    )
    _state_arg(serve)
    serve.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow a --host outside 127.0.0.0/8 and ::1 (the index is then reachable from other machines)",
    )
    serve.set_defaults(func=_serve)
    key = sub.add_parser("key", help="print the publisher's password (for TWINE_PASSWORD)")
    _state_arg(key)
    key.set_defaults(func=_key)


def _state_arg(parser: argparse.ArgumentParser) -> None:
    state_option(
        parser,
        env="PROVISIONING_REGISTRY_STATE",
        default=DEFAULT_STATE,
        metavar="DIR",
        help=f"the index's folder (default: $PROVISIONING_REGISTRY_STATE, else {DEFAULT_STATE})",
    )


_PASSWORD_FILE = SecretFile(
    prefix="pub_",
    nbytes=24,
    missing="no password at {path}: start `provisioning registry serve` once to make it",
    open_to_others="chmod 600 it",
)
"""The publisher's password, STATE/publisher.key."""


def _checked_host(host: str, allow: bool) -> str:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise CliError(f"--host {host!r} is not an IP address") from None
    if not loopback and not allow:
        raise CliError(
            f"--host {host} is not a loopback address: the index listens on this machine only unless "
            "--allow-non-loopback is given"
        )
    return host


def _serve(args: argparse.Namespace) -> int:
    host = _checked_host(args.host, args.allow_non_loopback)
    state = Path(args.state).resolve()
    packages = state / "packages"
    packages.mkdir(parents=True, exist_ok=True, mode=0o700)
    password, made = _PASSWORD_FILE.ensure(state / "publisher.key")
    try:
        import pypiserver
        from passlib.apache import HtpasswdFile
    except ImportError:
        raise CliError("the index needs pypiserver: pip install 'provisioning[extensions]'") from None
    htpasswd = HtpasswdFile(str(state / "htpasswd"), new=True)
    htpasswd.set_password(PUBLISHER, password)
    htpasswd.save()
    os.chmod(state / "htpasswd", 0o600)
    app = pypiserver.app(
        roots=[packages],
        authenticate=["update"],
        password_file=str(state / "htpasswd"),
        disable_fallback=True,
        overwrite=False,
        hash_algo="sha256",
    )
    server = _wsgi_server(host, args.port, app)
    print(f"registry packages: {packages}", flush=True)
    print(
        f"registry uploads: user {PUBLISHER!r}, password in {state / 'publisher.key'} ({kept(made)})",
        flush=True,
    )
    print(_LISTENING.format(host=host, port=server.server_port), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _wsgi_server(host: str, port: int, app: Any) -> Any:
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's signature)
            pass

    try:
        return make_server(host, port, app, server_class=Server, handler_class=Quiet)
    except OSError as exc:
        raise cannot_listen(host, port, exc, "choose another --port") from None


def _key(args: argparse.Namespace) -> int:
    print(_PASSWORD_FILE.read(Path(args.state).resolve() / "publisher.key"))
    return 0
