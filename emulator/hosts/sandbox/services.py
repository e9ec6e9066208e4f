"""The service contract inside sandbox hosts (no systemd there): the `svc` command.

Every sandbox has `/usr/local/sbin/svc`, which task service scripts use instead of calling an init system:

    svc start|stop|restart|reload|status NAME
    svc enable|disable NAME          # enabled services start again whenever the instance starts
    svc is-enabled NAME
    svc boot                         # (PID 1 at instance start) start every enabled service
    svc halt                         # (PID 1 at instance stop) stop every enabled service, reverse order

How `NAME` runs, first match wins:
1. PID 1 is systemd (a real machine): `systemctl ACTION NAME` (enable/disable too);
2. `/etc/provisioning/services/NAME` exists: an executable that runs the service in the *foreground*;
   `svc` daemonizes it with `start-stop-daemon --background --make-pidfile`
   (pid file `/run/provisioning/NAME.pid`, output appended to `/var/log/provisioning/NAME.log`);
3. `/etc/init.d/NAME` exists (Debian packages: postgresql, haproxy, prometheus, cron …): that script.

Enabled = the file `/etc/provisioning/enabled/NAME` exists (without systemd). Scripts that must also run on
real machines may instead follow the same rule themselves: `systemctl` when PID 1 is systemd, else
`start-stop-daemon` with a pid file, and `touch /etc/provisioning/enabled/NAME` to enable.
"""

from __future__ import annotations

from pathlib import Path

from .filesystem import mkdir_like, put_file

__all__ = ["SVC_PATH", "SVC_SCRIPT", "install_services"]

SVC_PATH = "/usr/local/sbin/svc"

SVC_SCRIPT = r"""#!/bin/sh
# svc: start/stop/enable services on provisioning sandbox hosts (and on systemd machines). See
# docs/sandbox-hosts.md. Written by the Custom Cloud emulator at every instance start.
set -u
ENABLED=/etc/provisioning/enabled
DEFS=/etc/provisioning/services
RUN=/run/provisioning
LOGS=/var/log/provisioning
usage() {
    echo "usage: svc start|stop|restart|reload|status|enable|disable|is-enabled NAME | svc boot|halt" >&2
    exit 2
}
systemd() { [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; }

run_def() {  # action name: a foreground executable daemonized with start-stop-daemon
    action=$1; name=$2; pidfile=$RUN/$name.pid
    mkdir -p "$RUN" "$LOGS"
    case $action in
    start)
        start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$pidfile" \
            --startas /bin/sh -- -c "exec \"$DEFS/$name\" >>\"$LOGS/$name.log\" 2>&1" ;;
    stop)
        start-stop-daemon --stop --quiet --retry TERM/10/KILL/5 --pidfile "$pidfile" --remove-pidfile
        rc=$?; [ $rc -eq 1 ] && rc=0; return $rc ;;
    restart|reload) run_def stop "$name"; run_def start "$name" ;;
    status) start-stop-daemon --status --pidfile "$pidfile" ;;
    esac
}

act() {  # action name
    if systemd; then systemctl "$1" "$2"; return; fi
    if [ -x "$DEFS/$2" ]; then run_def "$1" "$2"; return; fi
    if [ -x "/etc/init.d/$2" ]; then "/etc/init.d/$2" "$1"; return; fi
    echo "svc: no service named $2 (no $DEFS/$2, no /etc/init.d/$2)" >&2; return 1
}

[ $# -ge 1 ] || usage
case $1 in
boot)
    [ -d "$ENABLED" ] || exit 0
    rc=0
    for f in $(ls "$ENABLED" | sort); do act start "$f" || { echo "svc: $f failed to start" >&2; rc=1; }; done
    exit $rc ;;
halt)
    [ -d "$ENABLED" ] || exit 0
    for f in $(ls "$ENABLED" | sort -r); do act stop "$f" >/dev/null 2>&1 || true; done
    exit 0 ;;
esac
[ $# -eq 2 ] || usage
case $1 in
start|stop|restart|reload|status) act "$1" "$2" ;;
enable) if systemd; then systemctl enable "$2"; else mkdir -p "$ENABLED" && touch "$ENABLED/$2"; fi ;;
disable) if systemd; then systemctl disable "$2"; else rm -f "$ENABLED/$2"; fi ;;
is-enabled) if systemd; then systemctl is-enabled "$2"; else [ -e "$ENABLED/$2" ]; fi ;;
*) usage ;;
esac
"""


def install_services(upper: Path) -> None:
    """Install (or refresh) the `svc` command and the contract's folders in an instance's disk."""
    put_file(upper, SVC_PATH, SVC_SCRIPT, 0o755)
    for folder in ("/etc/provisioning/enabled", "/etc/provisioning/services", "/var/log/provisioning"):
        mkdir_like(upper, folder)
