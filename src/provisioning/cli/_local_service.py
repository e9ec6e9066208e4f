"""What the commands serving a local service share (`cloud serve`, `registry serve`): the secret kept in a
0600 file beside the service's state (made on the first start, read on every later one), and the messages
about it and about the port, and their `--host`, `--port` and `--state` options."""

from __future__ import annotations

import argparse
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._common import CliError

__all__ = ["SecretFile", "address_options", "cannot_listen", "kept", "state_option"]


def address_options(
    parser: argparse.ArgumentParser,
    *,
    host: str,
    host_help: str,
    port: int,
    port_help: str,
    host_type: Callable[[str], str] = str,
) -> None:
    """Add `--host` (default `host`, checked by `host_type`) and `--port` (default `port`)."""
    parser.add_argument("--host", type=host_type, default=host, help=host_help)
    parser.add_argument("--port", type=int, default=port, help=port_help)


def state_option(parser: argparse.ArgumentParser, *, env: str, default: str, metavar: str, help: str) -> None:
    """Add `--state`: where the service keeps its state, else `$env` (empty = unset), else `default`."""
    parser.add_argument("--state", default=os.environ.get(env) or default, metavar=metavar, help=help)


@dataclass(frozen=True, slots=True)
class SecretFile:
    """How one service keeps its secret: the format of a new one and what each failure tells the user.

    The messages are templates: `{path}` is the file, `{mode}` its permission bits (`0644`)."""

    prefix: str
    """Start of a new secret (`cc_`)."""
    nbytes: int
    """Random bytes of a new secret (URL-safe base64 after the prefix)."""
    missing: str
    """The file does not exist."""
    open_to_others: str
    """What to do when group or others may read it, after `PATH is open to other users (mode M): `."""
    not_a_file: str | None = None
    """The path is not a regular file (None: not checked)."""
    empty: str | None = None
    """The file holds no secret, or one with white space in it (None: not checked)."""

    def read(self, path: Path) -> str:
        """The secret in `path`; a `CliError` says what to do when it is missing, open to others or bad."""
        try:
            info = path.stat()
        except FileNotFoundError:
            raise CliError(self.missing.format(path=path)) from None
        if self.not_a_file is not None and not stat.S_ISREG(info.st_mode):
            raise CliError(self.not_a_file.format(path=path))
        if info.st_mode & 0o077:
            mode = f"{stat.S_IMODE(info.st_mode):04o}"
            fix = self.open_to_others.format(path=path, mode=mode)
            raise CliError(f"{path} is open to other users (mode {mode}): {fix}")
        secret = path.read_text(encoding="utf-8").strip()
        if self.empty is not None and (not secret or any(c.isspace() for c in secret)):
            raise CliError(self.empty.format(path=path))
        return secret

    def ensure(self, path: Path) -> tuple[str, bool]:
        """The secret in `path`, made first (random, mode 0600 whatever the umask) when the file is missing;
        True when made now."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.read(path), False
        secret = self.prefix + secrets.token_urlsafe(self.nbytes)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                os.fchmod(file.fileno(), 0o600)
                file.write(secret + "\n")
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return secret, True


def kept(made: bool) -> str:
    """How the start-up line describes the secret file: made by this start, or kept."""
    return "new, mode 0600" if made else "kept from an earlier start"


def cannot_listen(host: str, port: int, exc: OSError, hint: str) -> CliError:
    """The error of a port that cannot be bound, with what to do (`hint`)."""
    return CliError(f"cannot listen on {host}:{port} ({exc.strerror}): {hint}")
