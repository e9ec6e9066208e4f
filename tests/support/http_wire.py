"""HTTP/1.1 read off a raw socket, for tests that must hold one connection themselves."""

from __future__ import annotations

import socket

__all__ = ["one_response"]


def one_response(connection: socket.socket) -> bytes:
    """One response's head and body (Content-Length), however its writes were split, or what came before
    the connection closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    fields = dict(line.lower().split(b":", 1) for line in head.split(b"\r\n")[1:])
    length = int(fields.get(b"content-length", b"0"))
    while len(body) < length:
        chunk = connection.recv(4096)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body
