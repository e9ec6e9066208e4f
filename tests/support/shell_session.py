"""One `bash` that runs a document's blocks in order, as a person pasting them into one terminal would:
`cd`, variables and an activated virtualenv carry over from block to block."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BlockFailed", "BlockResult", "ShellSession"]


@dataclass(frozen=True)
class BlockResult:
    """What one block printed (stdout and stderr, interleaved) and how long it took."""

    output: str
    seconds: float


class BlockFailed(AssertionError):
    """A block failed (a command exited non-zero: the shell runs with `set -euo pipefail`) or timed out."""


class ShellSession:
    """A `bash` in its own process group, fed one block at a time through `source FILE </dev/null`
    (commands in a block never read the control pipe). `close()` ends the group: the shell, what the
    blocks left running in the background and anything those started.

    `secrets`: strings replaced by `[secret]` in every message this class raises."""

    def __init__(self, cwd: Path, env: dict[str, str], scripts: Path) -> None:
        self.scripts = scripts
        self.secrets: list[str] = []
        self.transcript: list[str] = []
        """Every line the shell printed, in order."""
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._count = 0
        self._process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._send("set -euo pipefail")

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _send(self, text: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(text + "\n")
        self._process.stdin.flush()

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "[secret]")
        return text

    def run(self, block: str, *, name: str, timeout: float = 300) -> BlockResult:
        """Run `block` in the shell; its output. Raises BlockFailed (with the output, secrets redacted)
        when a command fails, the shell exits or `timeout` seconds pass."""
        self._count += 1
        script = self.scripts / f"block-{self._count:02d}.sh"
        script.write_text(block, encoding="utf-8")
        token = f"__block_done_{uuid.uuid4().hex}__"
        started = time.monotonic()
        self._send(f"source {_quote(script)} </dev/null; printf '\\n{token} %s\\n' \"$?\"")
        output: list[str] = []
        deadline = started + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                what = f"still running after {timeout:.0f} s"
                raise BlockFailed(self._failure(name, block, output, what)) from None
            if line is None:
                status = self._process.wait(timeout=10)
                raise BlockFailed(self._failure(name, block, output, f"the shell exited with {status}"))
            self.transcript.append(line)
            if line.startswith(token):
                if output and output[-1] == "\n":
                    output.pop()  # the newline printed before the token
                return BlockResult("".join(output), time.monotonic() - started)
            output.append(line)

    def _failure(self, name: str, block: str, output: list[str], what: str) -> str:
        return self.redact(
            f"{name}: {what}\n--- block ---\n{block}--- output (last 8000 characters) ---\n"
            f"{''.join(output)[-8000:]}"
        )

    def close(self, *, grace: float = 15) -> None:
        """End the shell's process group (SIGTERM, then SIGKILL after `grace` seconds) and reap the shell."""
        group = self._process.pid  # the session leader: its pid is the group id
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
        except OSError:
            pass
        _signal_group(group, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            self._process.poll()  # reap the shell: a zombie still counts as a member of its group
            if not _group_alive(group):
                break
            time.sleep(0.1)
        if _group_alive(group):
            _signal_group(group, signal.SIGKILL)
        try:
            self._process.wait(timeout=10)
        finally:
            self._reader.join(timeout=10)
            if self._process.stdout is not None:
                self._process.stdout.close()

    def __enter__(self) -> ShellSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def _signal_group(group: int, sig: signal.Signals) -> None:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass


def _group_alive(group: int) -> bool:
    """True while a live (not zombie) process is in the group; without /proc, while any process is."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False
