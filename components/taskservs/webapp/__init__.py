"""WebApp: the project's small web application (`app/server.py`: stdlib HTTP server, PostgreSQL or
MariaDB/MySQL through the OS's Python driver) installed and run as the service `webapp` on a server,
configured over SSH, its version switched by a release step that drains it first (`docs/task-services.md`).
The declaration (`spec`) and the rendering (`render`) import no Pulumi; `WebApp` loads it when first used."""

from provisioning.sdk._lazy import names_on_first_use

from .spec import WEBAPP, DatabaseSettings, WebAppConfig

__all__ = ["WEBAPP", "DatabaseSettings", "WebApp", "WebAppConfig"]


__getattr__ = names_on_first_use(__name__, ["WebApp"], ["component"])
