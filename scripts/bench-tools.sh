#!/usr/bin/env bash
# Tools the benchmarks in bench/ use: `wrk` (a C HTTP load generator, so that the load generator does not
# eat the server's CPU the way a Python client does). Idempotent: nothing to do when wrk is on PATH.
# Debian/Ubuntu only, as root; elsewhere it says what to install and exits 1 (the bench then falls back
# to its Python client).
set -euo pipefail

if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "bench-tools: wrk is missing and this is not a Debian-like system: install wrk by hand" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "bench-tools: wrk is missing; run as root: sudo $0 (or: sudo apt-get install -y wrk)" >&2
    exit 1
fi
echo "==> bench-tools: installing wrk (apt-get update + apt-get install -y wrk)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
command -v wrk >/dev/null
