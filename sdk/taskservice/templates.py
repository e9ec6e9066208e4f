"""The template library of task services: one Jinja2 environment over a service's own templates and the
shared ones (`taskservice/lib.sh.j2`, the shell helpers every step script includes;
`taskservice/step.sh.j2`, how a step runs over SSH; and the helpers a step includes when it needs them:
`taskservice/services.sh.j2` (systemd units), `taskservice/state.sh.j2` (what the steps remember, the
folders they made), `taskservice/packages.sh.j2` (OS packages installed and purged) and
`taskservice/tls.sh.j2` (self-signed certificates)). Config files and scripts are rendered from templates
only, never pieced together from strings. Imports no Pulumi."""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined

__all__ = [
    "SHARED_TEMPLATES",
    "STATE_ROOT",
    "TemplateLibrary",
    "pg_quote",
    "put_file",
    "remote_command",
    "state_dir",
]

SHARED_TEMPLATES = Path(__file__).with_name("templates")
"""The shared templates, under `taskservice/`."""
STATE_ROOT = "/var/lib/provisioning"
"""Where task services keep what their steps remember on a host, one folder a service."""


def state_dir(service: str) -> str:
    """The folder where `service`'s steps remember what they did on a host (`taskservice/state.sh.j2`'s
    `STATE_DIR`): `/var/lib/provisioning/<service>`."""
    return f"{STATE_ROOT}/{service}"


def pg_quote(value: Any) -> str:
    """A PostgreSQL configuration string literal: `'it''s'`."""
    return "'" + str(value).replace("'", "''") + "'"


def put_file(path: str, content: str, mode: str = "0644", owner: str = "root:root") -> str:
    """Shell that replaces `path` with `content` atomically (through the `put_file` helper of
    `taskservice/lib.sh.j2`), as a here-document whose delimiter is derived from the content."""
    if not content.endswith("\n"):
        content += "\n"
    delimiter = "PROVISIONING_FILE_" + hashlib.sha256(content.encode()).hexdigest()[:16].upper()
    args = " ".join(shlex.quote(part) for part in (path, mode, owner))
    return f"put_file {args} <<'{delimiter}'\n{content}{delimiter}"


def _compiled_templates() -> BytecodeCache | None:
    """Jinja2 compiles each template to Python at its first use in a process (≈ 5 ms a template, a program
    renders dozens); its bytecode cache keeps the compiled form between runs, in a private per-user folder
    of the temporary directory, keyed by the template's source. None where that folder cannot be made."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


COMPILED_TEMPLATES = _compiled_templates()
"""The compiled-template cache every library shares (None: compile in each process)."""


class TemplateLibrary:
    """Templates of one task service (its `folder`, then the folders of templates it shares with other
    services, `more`) plus the shared ones; values are undefined-strict.

    Filters: `sh` quotes for POSIX shell, `pg` quotes a PostgreSQL string. Global: `put_file(path, content,
    mode, owner)` writes a rendered file from a script."""

    def __init__(self, folder: Path, *more: Path) -> None:
        self.folder = folder
        """The service's own template folder."""
        self.environment = Environment(
            loader=FileSystemLoader([str(folder), *(str(path) for path in more), str(SHARED_TEMPLATES)]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
            bytecode_cache=COMPILED_TEMPLATES,
        )
        self.environment.filters.update(sh=lambda value: shlex.quote(str(value)), pg=pg_quote)
        self.environment.globals.update(put_file=put_file)

    def render(self, name: str, **values: Any) -> str:
        """The template `name` rendered with `values`."""
        return self.environment.get_template(name).render(**values)

    def step(self, name: str, *, step: str, service: str, **values: Any) -> str:
        """A step's script: the shared shell helpers, then the template `name`; plain POSIX sh."""
        body = self.render(name, step=step, service=service, **values)
        return self.render("taskservice/script.sh.j2", step=step, service=service, body=body)


_SHARED = TemplateLibrary(SHARED_TEMPLATES)


def remote_command(step: str, script: str, *, sudo: bool = False) -> str:
    """The command a step runs over SSH: `script` written to a private temporary file and run with `sh -eu`
    (through `sudo -n` when the SSH user is not root); stdin stays free for the step's secret input."""
    delimiter = "PROVISIONING_STEP_" + hashlib.sha256(script.encode()).hexdigest()[:16].upper()
    return _SHARED.render(
        "taskservice/step.sh.j2", step=step, script=script.rstrip("\n"), delimiter=delimiter, sudo=sudo
    )
