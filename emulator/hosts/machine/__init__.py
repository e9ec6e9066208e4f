"""The `machine` host backend: Custom Cloud instances as Debian 12 machines with systemd as PID 1.

Each running instance is booted by `systemd-nspawn --boot` over its own overlay of a Debian 12 image
that `scripts/machine-image.sh` builds once with debootstrap, in its own network namespace on its VPC's
bridge, with its own hostname, machine id and SSH host key, in its own cgroups; packages come through a
package cache (apt-cacher-ng) the backend runs on its own bridge. See docs/machine-hosts.md.
"""

from __future__ import annotations

from ._run import HostConflict, HostError, HostUnavailable
from ._tools import default_image, image_problem, machine_unavailable_reason, taskservices_image
from .machine import MachineHost

__all__ = [
    "HostConflict",
    "HostError",
    "HostUnavailable",
    "MachineHost",
    "default_image",
    "image_problem",
    "machine_unavailable_reason",
    "taskservices_image",
]
