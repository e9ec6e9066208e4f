"""The system tools machine hosts run, with install hints, and where the image lives."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ._run import HostUnavailable

__all__ = [
    "TOOLS",
    "default_image",
    "image_problem",
    "images_folder",
    "machine_unavailable_reason",
    "require_tools",
    "taskservices_image",
]

TOOLS: dict[str, str] = {
    "systemd-nspawn": "apt-get install systemd-container",
    "apt-cacher-ng": "apt-get install apt-cacher-ng",
    "ip": "apt-get install iproute2",
    "unshare": "apt-get install util-linux",
    "ssh-keygen": "apt-get install openssh-client",
}
"""Every tool the machine backend runs (all installed by scripts/system-packages.sh)."""

IMAGE_MARK = ".provisioning-image"
"""The file scripts/machine-image.sh writes last into a finished image."""


def images_folder() -> Path:
    """Where scripts/machine-image.sh builds the images: `$TOOLS/images`, else the project's
    `.tools/images`."""
    tools = os.environ.get("TOOLS")
    return Path(tools) / "images" if tools else Path(__file__).resolve().parents[3] / ".tools" / "images"


def default_image() -> Path:
    """`$PROVISIONING_MACHINE_IMAGE`, else the minimal image (`debian-12` in `images_folder()`)."""
    explicit = os.environ.get("PROVISIONING_MACHINE_IMAGE")
    return Path(explicit) if explicit else images_folder() / "debian-12"


def taskservices_image() -> Path:
    """The image with the task services' packages (scripts/machine-image-taskservices.sh builds it)."""
    return images_folder() / "debian-12-taskservices"


def image_problem(image: Path) -> str | None:
    """Why `image` cannot be used as the machines' base (None: it can)."""
    if not (image / IMAGE_MARK).is_file():
        return f"no machine image at {image}: build it with `sudo scripts/machine-image.sh` (make setup does)"
    if not (image / "lib" / "systemd" / "systemd").exists():
        return (
            f"the machine image at {image} has no systemd: rebuild it "
            "(MACHINE_IMAGE_REBUILD=1 scripts/machine-image.sh)"
        )
    return None


def require_tools() -> None:
    """Raise `HostUnavailable` naming every missing tool and how to install it."""
    missing = [f"{tool} ({hint})" for tool, hint in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        raise HostUnavailable(
            "machine hosts need: " + "; ".join(missing) + " (or run scripts/system-packages.sh)"
        )


def machine_unavailable_reason(image: Path | None = None) -> str | None:
    """Why machine hosts cannot run here (None: they can): Linux, root, the tools and the image."""
    if not sys.platform.startswith("linux"):
        return "machine hosts need Linux"
    if os.geteuid() != 0:
        return "machine hosts need root"
    try:
        require_tools()
    except HostUnavailable as exc:
        return str(exc)
    return image_problem(image or default_image())
