"""WebApp: the project's small web application (`app/server.py`: stdlib HTTP server, PostgreSQL or
MariaDB/MySQL through the OS's Python driver) installed and run as the service `webapp` on a server,
configured over SSH, its version switched by a release step that drains it first (`docs/task-services.md`).
The declaration (`spec`) and the rendering (`render`) import no Pulumi; `WebApp` loads it when first used."""

from typing import Any

from .spec import WEBAPP, DatabaseSettings, WebAppConfig

__all__ = ["WEBAPP", "DatabaseSettings", "WebApp", "WebAppConfig"]


def __getattr__(name: str) -> Any:
    if name == "WebApp":
        from .component import WebApp

        return WebApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
