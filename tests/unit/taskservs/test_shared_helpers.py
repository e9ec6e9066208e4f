"""The shell helpers every task service shares (`taskservice/*.sh.j2`) are defined once in each step
script: no service carries a copy of its own beside them."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from provisioning.components.taskservs.custom_database import render as custom_database
from provisioning.components.taskservs.custom_database.spec import CustomDatabaseConfig
from provisioning.components.taskservs.haproxy import render as haproxy
from provisioning.components.taskservs.haproxy.spec import HAProxyConfig
from provisioning.components.taskservs.mariadb import render as mariadb
from provisioning.components.taskservs.mariadb.spec import MariaDBConfig
from provisioning.components.taskservs.postgresql import render as postgresql
from provisioning.components.taskservs.postgresql.spec import PostgreSQLConfig
from provisioning.components.taskservs.prometheus import render as prometheus
from provisioning.components.taskservs.prometheus.spec import PrometheusConfig
from provisioning.components.taskservs.webapp import render as webapp
from provisioning.components.taskservs.webapp.spec import WebAppConfig
from provisioning.sdk.taskservice.scripts import Host
from provisioning.sdk.taskservice.templates import state_dir

PRIMARY = Host("10.0.0.5")
REPLICA = Host("10.0.0.6", "replica", 0, "10.0.0.5")
REPLICATED = {"replication": {"enabled": True}, "backup": {"enabled": True}, "monitoring": {"enabled": True}}


def _scripts() -> dict[str, str]:
    found: dict[str, str] = {}
    custom = CustomDatabaseConfig(name="db", replication={"enabled": True})
    for host in (PRIMARY, REPLICA):
        for step, scripts in custom_database.scripts(custom, host).items():
            for kind in ("run", "update", "delete"):
                if (text := getattr(scripts, kind)) is not None:
                    found[f"customdb {host.role} {step} {kind}"] = text
    maria = MariaDBConfig(name="db", **REPLICATED)
    for host in (mariadb.Host(**vars(PRIMARY)), mariadb.Host(**vars(REPLICA))):
        found.update({f"mariadb {host.role} {k}": v for k, v in mariadb.scripts(maria, host).items()})
    pg = PostgreSQLConfig(name="pg", **REPLICATED)
    for pg_host in (postgresql.PRIMARY, postgresql.Host("replica", 0, "10.0.0.5")):
        found.update(
            {f"postgresql {pg_host.role} {k}": v for k, v in postgresql.scripts(pg, pg_host).items()}
        )
    lb = HAProxyConfig(name="lb", backends=[{"name": "web-1", "address": "10.0.0.7", "port": 8080}],
                       ssl={"enabled": True})  # fmt: skip
    mon = PrometheusConfig(name="mon")
    for name, scripts in {
        **{f"haproxy {k}": v for k, v in haproxy.scripts(lb).items()},
        **{f"prometheus {k}": v for k, v in prometheus.scripts(mon, ["10.0.0.8"]).items()},
        **{f"node exporter {k}": v for k, v in prometheus.exporter_scripts(mon).items()},
    }.items():
        found[f"{name} run"] = scripts.run
        if scripts.delete is not None:
            found[f"{name} delete"] = scripts.delete
    app = WebAppConfig(name="app", database={"host": "10.0.0.5"})
    found.update({f"webapp {k}": v for k, v in webapp.scripts(app).items()})
    return found


SCRIPTS = _scripts()


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_each_shell_function_is_defined_once(name: str) -> None:
    defined = Counter(re.findall(r"(?m)^([a-z_]+)\(\) \{", SCRIPTS[name]))
    assert [function for function, count in defined.items() if count > 1] == []


def test_every_service_keeps_its_state_in_its_own_folder() -> None:
    for name, script in SCRIPTS.items():
        service = re.search(r"(?m)^PROVISIONING_STEP='?([a-z-]+) ", script)
        assert service is not None, name
        if "STATE_DIR=" in script:
            assert f"STATE_DIR={state_dir(service[1])}\n" in script, name
