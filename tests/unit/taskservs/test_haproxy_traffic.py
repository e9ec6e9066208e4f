"""The rendered HAProxy configuration run by the real HAProxy on 127.0.0.1, in front of two local backends:
one answering, one closing every request unanswered (as a restarting app or a reloading proxy may). A read
that was closed unanswered is sent again to the other server; a POST is never replayed; a reload answers
the next request on an idle keep-alive connection (with `Connection: close`) instead of closing it under
the client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from provisioning.components.taskservs.haproxy.render import config_files
from provisioning.components.taskservs.haproxy.spec import HAProxyConfig
from tests.support.http_wire import one_response
from tests.support.tools import require_tool

HEALTH = "/health"


class _Answering(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"answered\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


class _Closing(_Answering):
    """Answers its health checks; closes every other request unanswered, counting them."""

    closed = 0

    def _close(self) -> None:
        if self.path == HEALTH:
            self._answer()
            return
        type(self).closed += 1
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = _close


@dataclass
class Proxy:
    url: str
    master: subprocess.Popen[bytes]
    closing: type[_Closing]

    def workers(self) -> set[int]:
        listed = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.master.pid)], capture_output=True, text=True, check=False
        )
        return {int(pid) for pid in listed.stdout.split()}


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, *_: object) -> None:
        """A health check HAProxy closed early is no failure of the test."""


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Proxy]:
    haproxy = require_tool("haproxy", "haproxy")
    closing = type("Closing", (_Closing,), {"closed": 0})
    backends = [_serve(closing), _serve(_Answering)]
    port = _free_port()
    config = HAProxyConfig(
        name="lb",
        port=port,
        check_interval="60s",
        stats={"enabled": False},
        backends=[
            {"name": f"web-{i}", "address": "127.0.0.1", "port": server.server_address[1]}
            for i, server in enumerate(backends)
        ],
    )
    text = config_files(config)["/etc/haproxy/haproxy.cfg"]
    text = text.replace(f"bind :{port}", f"bind 127.0.0.1:{port}")
    text = text.replace("/run/haproxy/admin.sock", str(tmp_path / "admin.sock"))
    text = text.replace("/var/lib/provisioning/haproxy/server-state", str(tmp_path / "server-state"))
    (tmp_path / "haproxy.cfg").write_text(text)
    command = [haproxy, "-W", "-f", str(tmp_path / "haproxy.cfg")]
    with (tmp_path / "haproxy.log").open("wb") as log:
        master = subprocess.Popen(command, stdout=log, stderr=log)
    running = Proxy(f"http://127.0.0.1:{port}", master, closing)
    try:
        _wait_for(lambda: _answers(running.url), "HAProxy answering", tmp_path / "haproxy.log")
        closing.closed = 0
        yield running
    finally:
        master.terminate()
        master.wait(timeout=30)
        for server in backends:
            server.shutdown()
            server.server_close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_for(ready: object, what: str, log: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(ready) and ready():
            return
        time.sleep(0.05)
    pytest.fail(f"{what}: not within {seconds} s; HAProxy's log: {log.read_text()[-2000:]}")


def test_a_read_closed_unanswered_is_sent_again_to_the_other_server(proxy: Proxy) -> None:
    with httpx.Client(timeout=10) as client:
        answers = [client.get(f"{proxy.url}/page/{n}") for n in range(12)]
    assert [a.status_code for a in answers] == [200] * 12
    assert proxy.closing.closed >= 3, "round robin never picked the server that closes requests"


def test_a_post_closed_unanswered_is_not_replayed(proxy: Proxy) -> None:
    failed = 0
    with httpx.Client(timeout=10) as client:
        for _ in range(8):
            try:
                failed += client.post(f"{proxy.url}/order", content=b"one").status_code != 200
            except httpx.RemoteProtocolError:
                failed += 1  # HAProxy closed the keep-alive connection: its client decides
    assert failed, "round robin never picked the server that closes requests"
    assert proxy.closing.closed == failed, "a POST the server closed unanswered was sent again"


def test_a_reload_answers_an_idle_keep_alive_connection(proxy: Proxy) -> None:
    host, port = proxy.url.removeprefix("http://").split(":")
    request = f"GET /page HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        first = one_response(connection)
        assert first.startswith(b"HTTP/1.1 200") and b"connection: close" not in first.lower(), first
        old = proxy.workers()
        os.kill(proxy.master.pid, signal.SIGUSR2)
        _wait_for(lambda: proxy.workers() - old, "a new HAProxy worker", Path(os.devnull))
        time.sleep(0.5)  # the old worker has soft-stopped: without the option it closes this connection now
        connection.sendall(request)
        second = one_response(connection)
    assert second.startswith(b"HTTP/1.1 200"), f"the reloaded proxy closed an idle connection: {second!r}"
    assert b"connection: close" in second.lower(), second
