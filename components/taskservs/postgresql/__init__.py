"""PostgreSQL: the stock Debian PostgreSQL cluster (`main`, pg_ctlcluster) on a server, with its databases
and users, configured over SSH (`docs/task-services.md`). The declaration (`spec`) and the rendering
(`render`) import no Pulumi; `PostgreSQL` loads it when first used."""

from provisioning.sdk._lazy import names_on_first_use

from .spec import POSTGRESQL, DatabaseSettings, PostgreSQLConfig, UserSettings

__all__ = ["POSTGRESQL", "DatabaseSettings", "PostgreSQL", "PostgreSQLConfig", "UserSettings"]


__getattr__ = names_on_first_use(__name__, ["PostgreSQL"], ["component"])
