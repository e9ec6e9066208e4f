"""Shell scripts that take one server out of a running HAProxy's pool and put it back, through HAProxy's
runtime API (the admin socket the HAProxy task service opens): `drain_script` waits until another server
of the pool is up, sets the server to drain (no new requests) and waits until its requests under way
finished; `readmit_script` sets it ready and waits until HAProxy's own checks see it up. Pure: the scripts
are rendered here and run on the proxy's host by the caller. A host without a running HAProxy (not
configured yet) or whose pool does not name the server has nothing to do: the scripts say so and exit 0."""

from __future__ import annotations

import shlex

from provisioning.components.taskservs.haproxy.render import PATHS

__all__ = [
    "PEER_TIMEOUT",
    "READY_TIMEOUT",
    "SESSIONS_TIMEOUT",
    "backend_of",
    "drain_script",
    "readmit_script",
]

PEER_TIMEOUT = 180
"""Seconds a drain waits for another server of the pool to be up before it refuses (exit 3)."""
SESSIONS_TIMEOUT = 60
"""Seconds a drain waits for the server's requests under way to finish."""
READY_TIMEOUT = 300
"""Seconds a server put back may take until HAProxy's checks see it up (else exit 4)."""

_PRELUDE = r"""set -eu
backend=@BACKEND@
server=@SERVER@
socket=@SOCKET@
if [ ! -S "$socket" ]; then echo "no running HAProxy on $(hostname): nothing to do"; exit 0; fi
runtime() { printf '%s\n' "$1" | socat -t 10 stdio "UNIX-CONNECT:$socket"; }
# rows of the pool: name and status (field 18), sessions (field 5)
rows() { runtime 'show stat' | awk -F, -v b="$backend" '$1 == b && $2 != "FRONTEND" && $2 != "BACKEND"'; }
field() { rows | awk -F, -v s="$1" -v f="$2" '$2 == s { print $f }'; }
others_up() { rows | awk -F, -v s="$server" '$2 != s && $18 == "UP"' | grep -c . || true; }
states() { rows | awk -F, '{ printf "%s %s; ", $2, $18 }'; }
wait_for() {
    limit=$1; shift; end=$(( $(date +%s) + limit ))
    until "$@"; do [ "$(date +%s)" -lt "$end" ] || return 1; sleep 0.5; done
}
if [ -z "$(field "$server" 2)" ]; then
    echo "$backend on $(hostname) has no server $server: nothing to do"
    exit 0
fi
"""

_DRAIN = r"""peer_up() { [ "$(others_up)" -gt 0 ]; }
if ! wait_for @PEER_TIMEOUT@ peer_up; then
    echo "refusing to drain $server: no other server of $backend on $(hostname) is up" \
        "after @PEER_TIMEOUT@ s ($(states))"
    exit 3
fi
runtime "set server $backend/$server state drain" >/dev/null
idle() { [ "$(field "$server" 5)" = 0 ]; }
if wait_for @SESSIONS_TIMEOUT@ idle; then
    echo "drained $server on $(hostname) ($(others_up) other server(s) up)"
else
    echo "drained $server on $(hostname); $(field "$server" 5) session(s) still open" \
        "after @SESSIONS_TIMEOUT@ s"
fi
"""

_READMIT = r"""runtime "set server $backend/$server state ready" >/dev/null
up() { [ "$(field "$server" 18)" = UP ]; }
if ! wait_for @READY_TIMEOUT@ up; then
    echo "$server is $(field "$server" 18) on $(hostname) after @READY_TIMEOUT@ s: its checks do not pass"
    exit 4
fi
echo "$server is back in $backend on $(hostname)"
"""


def backend_of(proxy: str) -> str:
    """The backend a HAProxy named `proxy` balances over (its task service names it `<name>-servers`)."""
    return f"{proxy}-servers"


def _render(template: str, backend: str, server: str, socket: str, timeouts: dict[str, int]) -> str:
    values = {
        "@BACKEND@": shlex.quote(backend),
        "@SERVER@": shlex.quote(server),
        "@SOCKET@": shlex.quote(socket),
        **{f"@{name.upper()}@": str(int(seconds)) for name, seconds in timeouts.items()},
    }
    text = _PRELUDE + template
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text


def drain_script(
    backend: str,
    server: str,
    *,
    socket: str = PATHS["admin_socket"],
    peer_timeout: int = PEER_TIMEOUT,
    sessions_timeout: int = SESSIONS_TIMEOUT,
) -> str:
    """Drain `server` in `backend` once another server of it is up; exit 3 (and why) when none is within
    `peer_timeout` seconds. `socket`: the HAProxy's runtime API."""
    timeouts = {"peer_timeout": peer_timeout, "sessions_timeout": sessions_timeout}
    return _render(_DRAIN, backend, server, socket, timeouts)


def readmit_script(
    backend: str, server: str, *, socket: str = PATHS["admin_socket"], ready_timeout: int = READY_TIMEOUT
) -> str:
    """Set `server` in `backend` ready and wait until HAProxy's checks see it up; exit 4 (and why) when
    they do not within `ready_timeout` seconds. `socket`: the HAProxy's runtime API."""
    return _render(_READMIT, backend, server, socket, {"ready_timeout": ready_timeout})
