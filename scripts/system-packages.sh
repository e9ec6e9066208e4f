#!/usr/bin/env bash
# System packages of this machine (Debian/Ubuntu, as root): what the machine hosts of the local Custom Cloud
# need, and what the tests run here.
#
# Idempotent and fast when everything is present (one dpkg-query, no apt-get update). The host itself must
# not run these daemons: while installing, a policy-rc.d refuses every service start, and their init
# scripts are disabled afterwards. Daemons already running are left alone (someone may use them).
#
# - The tests: the SSH client; PostgreSQL (the PostgreSQL state backend tests) and MariaDB (the MariaDB
#   config checks); haproxy and promtool (rendered configs are checked with `haproxy -c` and `promtool`);
#   openssl, curl, and the Python drivers of the web stack's application (psycopg2, pymysql) for its tests.
# - TypeScript programs that add the component package (docs/typescript.md): node and npm, from Debian's
#   nodejs and npm unless both commands are already there (e.g. a Node.js installed another way).
# - Machine hosts (`--hosts machine`, docs/machine-hosts.md) need debootstrap (their Debian 12 image),
#   systemd-container (systemd-nspawn boots each one) and apt-cacher-ng (the package cache the local cloud
#   runs on its bridge); once they are present, scripts/machine-image.sh builds the image (once, then
#   seconds), and scripts/machine-image-taskservices.sh the image with the task services' packages beside it.
#
# One run at a time: a second one (two `make setup`s) waits for the first instead of failing on apt's lock.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"

PACKAGES=(openssh-client postgresql mariadb-server mariadb-client haproxy prometheus
          prometheus-node-exporter prometheus-postgres-exporter prometheus-mysqld-exporter cron iproute2
          util-linux openssl curl python3-psycopg2 python3-pymysql debootstrap systemd-container apt-cacher-ng)
SERVICES=(postgresql mariadb haproxy prometheus prometheus-node-exporter prometheus-postgres-exporter
          prometheus-mysqld-exporter cron apt-cacher-ng)

if [ "$(uname -s)" != Linux ] || ! command -v dpkg-query >/dev/null 2>&1; then
    echo "system-packages: not a Debian-like Linux: skipping (the emulator will use the 'record' host backend)"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    mkdir -p /run/lock
    exec 9>/run/lock/provisioning-system-packages.lock
    flock 9
fi

machine_image() {
    if [ "$(id -u)" -eq 0 ]; then
        "$here/machine-image.sh"
        "$here/machine-image-taskservices.sh"
    else
        echo "==> system-packages: not root: the machine hosts' image is not built (sudo $here/machine-image.sh)"
    fi
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [ "$status" = installed ] || missing+=("$pkg")
done
if ! { command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; }; then
    missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -eq 0 ]; then
    echo "==> system-packages: all present (${PACKAGES[*]})"
    machine_image
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "system-packages: missing ${missing[*]}; run as root: sudo $0" >&2
    exit 1
fi

echo "==> system-packages: installing ${missing[*]}"
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# provisioning: no service starts during package installs\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    made_policy=1
fi
cleanup() { if [ "$made_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# The host never runs them at boot either (no-op where an init system is absent).
for svc in "${SERVICES[@]}"; do
    if [ -x "/etc/init.d/$svc" ] && command -v update-rc.d >/dev/null 2>&1; then
        update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        systemctl disable "$svc" >/dev/null 2>&1 || true
    fi
done
cleanup
trap - EXIT
echo "==> system-packages: done"
machine_image
