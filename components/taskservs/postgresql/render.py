"""Everything PostgreSQL puts on a host, rendered from its templates (`templates/`): its config files and
step scripts. Pure: no Pulumi, no host."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

from provisioning.sdk.taskservice.templates import TemplateLibrary

from .spec import PostgreSQLConfig

__all__ = ["SERVICE", "STEPS", "config_files", "conf_dir", "credentials_input", "scripts"]

TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"))
"""PostgreSQL's templates with the shared step helpers."""
SERVICE = "postgresql"
"""The service's name under svc (Debian's init script; systemd: postgresql@MAJOR-main)."""
STATE_DIR = "/var/lib/provisioning/postgresql"
"""What the task service remembers on the host (packages it installed, the cluster it created)."""
STEPS = ("remove", "install", "configure", "credentials", "health")
"""The steps, in order."""


def conf_dir(config: PostgreSQLConfig) -> str:
    """The cluster's config folder."""
    return f"/etc/postgresql/{config.version}/main"


def config_files(config: PostgreSQLConfig) -> dict[str, str]:
    """The files the configure step writes, by name (`provisioning.conf` in conf.d, `pg_hba.conf`)."""
    return {
        "provisioning.conf": TEMPLATES.render("provisioning.conf.j2", c=config),
        "pg_hba.conf": TEMPLATES.render("pg_hba.conf.j2", c=config),
    }


def _values(config: PostgreSQLConfig, step: str) -> dict[str, object]:
    """Only what each step needs, so that a change reruns only the steps it concerns."""
    values: dict[str, object] = {"major": config.version, "state_dir": STATE_DIR}
    if step == "configure":
        values.update(c=config, conf_dir=conf_dir(config), files=config_files(config))
    elif step in ("credentials", "remove"):
        values["c"] = config
    return values


def scripts(config: PostgreSQLConfig) -> dict[str, str]:
    """Each step's script by name; `remove` is the remove step's delete script, `remove-armed` its run."""
    found = {
        step: TEMPLATES.step(f"{step}.sh.j2", step=step, service=SERVICE, **_values(config, step))
        for step in STEPS
    }
    found["remove-armed"] = TEMPLATES.step(
        "remove-armed.sh.j2", step="remove", service=SERVICE, keep_data=config.keep_data
    )
    return found


def credentials_input(passwords: Mapping[str, str]) -> str:
    """The credentials step's stdin: one `name base64(password)` line per user (never printed)."""
    return "".join(
        f"{name} {base64.b64encode(password.encode()).decode()}\n"
        for name, password in sorted(passwords.items())
    )
