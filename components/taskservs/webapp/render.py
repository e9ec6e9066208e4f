"""Everything WebApp puts on a host, rendered from its templates (`templates/`): the application's settings,
its systemd unit, the application itself (copied from `app/server.py`) and the step scripts. Pure:
no Pulumi, no host."""

from __future__ import annotations

from pathlib import Path

from provisioning.sdk.taskservice.templates import TemplateLibrary

from .spec import WebAppConfig

__all__ = [
    "APP_SOURCE",
    "DRIVERS",
    "PATHS",
    "SERVICE",
    "STEPS",
    "USER",
    "config_files",
    "environment",
    "scripts",
]

TEMPLATES = TemplateLibrary(Path(__file__).with_name("templates"))
"""WebApp's templates with the shared step helpers."""
APP_SOURCE = Path(__file__).with_name("app") / "server.py"
"""The application, as shipped in this package (copied to the host as it is)."""
SERVICE = "webapp"
"""The service's name: the systemd unit `webapp.service` it writes."""
USER = "webapp"
"""The unprivileged user the application runs as."""
DRIVERS = {"postgresql": "python3-psycopg2", "mysql": "python3-pymysql"}
"""The OS package of the Python database driver, by database kind."""
PATHS = {
    "app_file": "/opt/webapp/server.py",
    "env_file": "/etc/webapp/webapp.env",
    "password_file": "/etc/webapp/database-password",
    "version_file": "/etc/webapp/version",
    "unit_file": "/etc/systemd/system/webapp.service",
    "drain_file": "/run/webapp/draining",
    "health_paths_file": "/etc/webapp/health-paths",
    "state_dir": "/var/lib/provisioning/webapp",
}
"""Where its files go on the host."""
STEPS = ("remove", "install", "credentials", "configure", "release", "health")
"""The steps, in order."""


def environment(config: WebAppConfig) -> dict[str, str]:
    """The application's settings (`WEBAPP_*`), as its env file holds them; the version, the password and
    the health path are not among them (the release step writes the version, the credentials step the
    password file, the configure step the health paths file, which the application reads again when it
    changes: a new health path needs no restart)."""
    db = config.database
    return {
        "WEBAPP_APP_NAME": config.app_name,
        "WEBAPP_ENVIRONMENT": config.environment,
        "WEBAPP_BIND": "0.0.0.0",
        "WEBAPP_PORT": str(config.port),
        "WEBAPP_HEALTH_PATHS_FILE": PATHS["health_paths_file"],
        "WEBAPP_DATABASE_KIND": db.kind,
        "WEBAPP_DATABASE_HOST": db.host,
        "WEBAPP_DATABASE_PORT": str(db.effective_port),
        "WEBAPP_DATABASE_NAME": db.name,
        "WEBAPP_DATABASE_USER": db.user,
        "WEBAPP_DATABASE_PASSWORD_FILE": PATHS["password_file"],
        "WEBAPP_DRAIN_FILE": PATHS["drain_file"],
    }


def config_files(config: WebAppConfig) -> dict[str, str]:
    """Path on the host → content of every file the install and configure steps write (the application's
    own source included)."""
    values = {"c": config, "user": USER, **PATHS}
    return {
        PATHS["app_file"]: APP_SOURCE.read_text(),
        PATHS["env_file"]: TEMPLATES.render("webapp.env.j2", env=environment(config), **values),
        PATHS["unit_file"]: TEMPLATES.render("webapp.service.j2", **values),
    }


def _values(config: WebAppConfig, step: str) -> dict[str, object]:
    """Only what each step needs, so that a change reruns only the steps it concerns (the version: the
    release step and the health checks)."""
    files = config_files(config)
    values: dict[str, object] = {"user": USER, "instance": config.name, **PATHS}
    if step == "install":
        values.update(driver=DRIVERS[config.database.kind], files=files)
    elif step == "configure":
        values.update(files=files, port=config.port, health_path=config.health_check_path)
    elif step in ("release", "health"):
        values.update(
            version=config.version,
            port=config.port,
            health_path=config.health_check_path,
            drain_seconds=config.drain_seconds,
        )
    return values


def scripts(config: WebAppConfig) -> dict[str, str]:
    """Each step's script by name; `remove` is the remove step's delete script, `remove-armed` its run."""
    found = {
        step: TEMPLATES.step(f"{step}.sh.j2", step=step, service=SERVICE, **_values(config, step))
        for step in STEPS
    }
    found["remove-armed"] = TEMPLATES.step(
        "remove-armed.sh.j2", step="remove", service=SERVICE, instance=config.name
    )
    return found
