"""PostgreSQL: the stock Debian PostgreSQL cluster (`main`, pg_ctlcluster) on a server, with its databases
and users, configured over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering
(`render`) import no Pulumi; `PostgreSQL` loads it when first used."""

from typing import TYPE_CHECKING

from provisioning.sdk._lazy import exports_on_first_use

from .spec import (
    POSTGRESQL as POSTGRESQL,
    DatabaseSettings as DatabaseSettings,
    PostgreSQLConfig as PostgreSQLConfig,
    UserSettings as UserSettings,
)

if TYPE_CHECKING:
    from .component import PostgreSQL as PostgreSQL

__all__, __getattr__ = exports_on_first_use(__name__)
