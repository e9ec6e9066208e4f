#!/usr/bin/env bash
# The Debian 12 image of machine hosts (docs/machine-hosts.md): built once with debootstrap (minbase) from the
# Debian mirror this machine's apt is configured with, read from /etc/apt at run time, then reused as the
# read-only lower layer of every instance's overlay. Idempotent: a second run finds the image and returns.
#
#   scripts/machine-image.sh            # build if missing; print where the image is
#   MACHINE_IMAGE_REBUILD=1 scripts/machine-image.sh
#
# Lives in $TOOLS/images/ (default .tools/images/, git-ignored): debian-12-<recipe> is one build, debian-12 a
# symlink to the current one. Needs root, debootstrap and python3 (scripts/system-packages.sh installs them).
set -euo pipefail

. "$(cd "$(dirname "$0")" && pwd)/machine-image-lib.sh"  # here, project, images, mirror_py, install_image

# python3-cffi-backend: debootstrap does not resolve virtual packages (python3-cryptography, which cloud-init
# needs through python3-oauthlib, depends on one that only it provides).
PACKAGES=(systemd systemd-sysv dbus openssh-server iproute2 procps cloud-init python3-cffi-backend)

if [ "$(uname -s)" != Linux ] || [ "$(id -u)" -ne 0 ]; then
    echo "machine-image: needs Linux and root: not built (machine hosts unavailable here)" >&2
    exit 0
fi
for tool in debootstrap python3 chroot; do
    command -v "$tool" >/dev/null 2>&1 || { echo "machine-image: $tool is missing: run scripts/system-packages.sh" >&2; exit 1; }
done

# The recipe: this script and the package list. A change makes a new image beside the old one.
recipe="$( { cat "$0"; echo "${PACKAGES[*]}"; } | sha256sum | cut -c1-12)"
image="$images/debian-12-$recipe"
link="$images/debian-12"

if [ -f "$image/.provisioning-image" ] && [ -z "${MACHINE_IMAGE_REBUILD:-}" ]; then
    ln -sfn "$(basename "$image")" "$link"
    echo "==> machine-image: present ($link -> $(basename "$image"), $(du -sh --apparent-size "$image" 2>/dev/null | cut -f1))"
    exit 0
fi

mkdir -p "$images"
exec 8>"$images/.build.lock"
flock 8
if [ -f "$image/.provisioning-image" ] && [ -z "${MACHINE_IMAGE_REBUILD:-}" ]; then
    ln -sfn "$(basename "$image")" "$link"
    echo "==> machine-image: present (built by another run)"
    exit 0
fi

mirror="$(python3 -I "$mirror_py" debootstrap)"
sources="$(python3 -I "$mirror_py" image)"
work="$images/.build-$recipe"
rm -rf "$work"
started=$SECONDS
echo "==> machine-image: debootstrap --variant=minbase bookworm from the Debian mirror apt uses here (about a minute)"
include="$(IFS=,; echo "${PACKAGES[*]}")"
mkdir -p "$images/.debs"  # downloaded packages, kept for the next build
if ! nice -n 10 ionice -c 3 debootstrap --variant=minbase --cache-dir="$images/.debs" --include="$include" \
        bookworm "$work" "$mirror" \
        >"$images/build.log" 2>&1; then
    echo "machine-image: debootstrap failed; last lines of $images/build.log:" >&2
    tail -n 20 "$images/build.log" >&2
    exit 1
fi

# Nothing that must be unique per machine stays in the image: each instance gets its own at creation.
rm -f "$work"/etc/ssh/ssh_host_*
: >"$work/etc/machine-id"
rm -f "$work/var/lib/dbus/machine-id"
ln -s /etc/machine-id "$work/var/lib/dbus/machine-id"
echo localhost >"$work/etc/hostname"
printf '127.0.0.1\tlocalhost\n' >"$work/etc/hosts"
# No DNS: every address a machine talks to is on the local cloud's bridges (names come from /etc/hosts).
rm -f "$work/etc/resolv.conf"
printf '# machine host: no DNS (local only)\n' >"$work/etc/resolv.conf"
: >"$work/etc/fstab"

# apt: only through the package cache, which forwards to this machine's Debian mirror.
printf '%s' "$sources" >"$work/etc/apt/sources.list"
rm -f "$work"/etc/apt/sources.list.d/*
rm -rf "$work"/var/lib/apt/lists/*
mkdir -p "$work/var/lib/apt/lists/partial"
chroot "$work" apt-get clean

# sshd: one ed25519 host key per instance (a client pinning one key always meets it), keys only.
cat >"$work/etc/ssh/sshd_config.d/10-machine-host.conf" <<'CONF'
# machine host of the local Custom Cloud (scripts/machine-image.sh)
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
MaxStartups 100:30:200
MaxSessions 64
CONF

# cloud-init: installed, off by default (/etc/cloud/cloud-init.disabled: its generator then adds nothing to
# the boot); an instance with user data gets it on, with a NoCloud seed. It never replaces the host keys the
# cloud made for the instance, and the network is configured from outside, before boot.
if [ -d "$work/etc/cloud/cloud.cfg.d" ]; then
    : >"$work/etc/cloud/cloud-init.disabled"
    cat >"$work/etc/cloud/cloud.cfg.d/90-machine-host.cfg" <<'CONF'
# machine host of the local Custom Cloud (scripts/machine-image.sh)
datasource_list: [ NoCloud ]
network: {config: disabled}
ssh_deletekeys: false
ssh_genkeytypes: []
locale: C.UTF-8
CONF
fi

# A console login would wait on a tty nobody reads.
chroot "$work" systemctl mask console-getty.service getty@tty1.service >/dev/null 2>&1 || true
chroot "$work" systemctl enable ssh.service >/dev/null 2>&1

printf 'debian-12 minbase (%s) recipe %s, built %s\n' "$include" "$recipe" "$(date -u +%FT%TZ)" \
    >"$work/.provisioning-image"
install_image machine-image debian-12
