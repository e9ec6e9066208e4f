"""PostgreSQL: the stock Debian PostgreSQL cluster (`main`, pg_ctlcluster) on a server, with its databases
and users, configured over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering
(`render`) import no Pulumi; `PostgreSQL` loads it when first used."""

from typing import Any

from .spec import POSTGRESQL, DatabaseSettings, PostgreSQLConfig, UserSettings

__all__ = ["POSTGRESQL", "DatabaseSettings", "PostgreSQL", "PostgreSQLConfig", "UserSettings"]


def __getattr__(name: str) -> Any:
    if name == "PostgreSQL":
        from .component import PostgreSQL

        return PostgreSQL
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
