#!/usr/bin/env bash
# The machine hosts' second image (docs/machine-hosts.md): the minimal Debian 12 image of
# scripts/machine-image.sh plus the Debian packages the task services install, as clouds offer images with
# software beside a minimal one. The packages are installed and their own services left disabled (a task
# service runs its own units): an instance of this image takes the same steps as one of the minimal image,
# minus the downloads and the unpacking. Idempotent: a second run finds the image and returns.
#
#   scripts/machine-image-taskservices.sh        # build if missing (the minimal image first); print where
#   MACHINE_IMAGE_REBUILD=1 scripts/machine-image-taskservices.sh
#
# Lives beside the minimal one: $TOOLS/images/debian-12-taskservices-<recipe>, with the link
# debian-12-taskservices. A cloud uses it with `PROVISIONING_MACHINE_IMAGE=<that link>` (or Settings.machine_image).
set -euo pipefail

. "$(cd "$(dirname "$0")" && pwd)/machine-image-lib.sh"  # here, project, images, mirror_py, install_image

# What CustomDatabase, PostgreSQL, MariaDB, Prometheus, HAProxy and WebApp (its database drivers) install with apt.
PACKAGES=(postgresql-15 postgresql-client-15 prometheus-postgres-exporter cron openssl curl
          mariadb-server mariadb-client prometheus-mysqld-exporter prometheus prometheus-node-exporter haproxy
          python3-psycopg2 python3-pymysql)

if [ "$(uname -s)" != Linux ] || [ "$(id -u)" -ne 0 ]; then
    echo "machine-image-taskservices: needs Linux and root: not built" >&2
    exit 0
fi
"$here/machine-image.sh" >/dev/null
base="$(readlink -f "$images/debian-12")"

recipe="$( { cat "$0"; echo "${PACKAGES[*]}"; basename "$base"; } | sha256sum | cut -c1-12)"
image="$images/debian-12-taskservices-$recipe"
link="$images/debian-12-taskservices"
if [ -f "$image/.provisioning-image" ] && [ -z "${MACHINE_IMAGE_REBUILD:-}" ]; then
    ln -sfn "$(basename "$image")" "$link"
    echo "==> machine-image-taskservices: present ($link -> $(basename "$image"))"
    exit 0
fi

exec 8>"$images/.build.lock"
flock 8
work="$images/.build-taskservices-$recipe"
cleanup() {
    for mount in "$work/var/cache/apt/archives" "$work/proc"; do
        if mountpoint -q "$mount" 2>/dev/null; then umount "$mount"; fi
    done
}
trap cleanup EXIT
cleanup
rm -rf "$work"
started=$SECONDS
echo "==> machine-image-taskservices: the minimal image plus ${#PACKAGES[@]} packages from the Debian mirror apt uses here"
cp -a "$base" "$work"
rm -f "$work/.provisioning-image"

# apt in the image reads the mirror directly while it is built (its sources name the machines' cache);
# downloaded packages are kept beside the minimal image's, for the next build.
cp "$work/etc/apt/sources.list" "$images/.sources.image"
python3 -I "$mirror_py" direct >"$work/etc/apt/sources.list"
cp "$work/etc/resolv.conf" "$images/.resolv.image"
cp -L /etc/resolv.conf "$work/etc/resolv.conf"
mkdir -p "$images/.debs"
mount --bind "$images/.debs" "$work/var/cache/apt/archives"
mount -t proc proc "$work/proc"
printf '#!/bin/sh\n# machine-image-taskservices: no service starts while the image is built\nexit 101\n' \
    >"$work/usr/sbin/policy-rc.d"
chmod 0755 "$work/usr/sbin/policy-rc.d"
# the task services make their own PostgreSQL clusters, not the package's
mkdir -p "$work/etc/postgresql-common/createcluster.d"
echo 'create_main_cluster = false' >"$work/etc/postgresql-common/createcluster.d/image.conf"
units_before="$(chroot "$work" systemctl list-unit-files --state=enabled --no-legend 2>/dev/null | awk '{print $1}' | sort)"
if ! { chroot "$work" apt-get update -q &&
       DEBIAN_FRONTEND=noninteractive nice -n 10 chroot "$work" apt-get install -y -q --no-install-recommends \
           "${PACKAGES[@]}"; } >"$images/build-taskservices.log" 2>&1; then
    echo "machine-image-taskservices: apt failed; last lines of $images/build-taskservices.log:" >&2
    tail -n 20 "$images/build-taskservices.log" >&2
    exit 1
fi
# The packages' own services stay off: the task services run theirs (an instance of this image boots
# like one of the minimal image).
units_after="$(chroot "$work" systemctl list-unit-files --state=enabled --no-legend 2>/dev/null | awk '{print $1}' | sort)"
for unit in $(comm -13 <(echo "$units_before") <(echo "$units_after")); do
    chroot "$work" systemctl disable "$unit" >/dev/null 2>&1 || true
done
rm -f "$work/usr/sbin/policy-rc.d" "$work/etc/postgresql-common/createcluster.d/image.conf"
cleanup
mv "$images/.sources.image" "$work/etc/apt/sources.list"
mv "$images/.resolv.image" "$work/etc/resolv.conf"
rm -rf "$work"/var/lib/apt/lists/*
mkdir -p "$work/var/lib/apt/lists/partial"
chroot "$work" apt-get clean

printf 'debian-12 taskservices (%s) over %s, recipe %s, built %s\n' "${PACKAGES[*]}" "$(basename "$base")" \
    "$recipe" "$(date -u +%FT%TZ)" >"$work/.provisioning-image"
install_image machine-image-taskservices debian-12-taskservices
