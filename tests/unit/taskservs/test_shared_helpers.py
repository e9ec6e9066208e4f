"""The shell helpers every task service shares (`taskservice/*.sh.j2`) are defined once in each step
script: no service carries a copy of its own beside them. The service helpers run with sh against a fake
systemctl and journalctl."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

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
from provisioning.sdk.taskservice import TemplateLibrary
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


class ServiceHost:
    """A folder standing for a host's PID 1 name (`/proc/1/comm`), systemctl and journalctl: a fake
    systemctl whose `start` fails and a journal holding one line of the unit's own and one of systemd's."""

    def __init__(self, tmp: Path, pid1: str) -> None:
        self.tmp = tmp
        (tmp / "comm").write_text(pid1 + "\n")
        self.bin = tmp / "bin"
        self.bin.mkdir()
        tools = {
            "systemctl": "case $1 in is-active) exit 3 ;; start) exit 1 ;; *) exit 0 ;; esac",
            "journalctl": 'for a in "$@"; do case $a in\n'
            '_SYSTEMD_UNIT=app.service) echo "app: cannot open /etc/app.conf"; exit 0 ;;\n'
            "-u) echo \"app.service: Failed with result 'exit-code'.\"; exit 0 ;;\n"
            "esac; done",
            "ss": "exit 0",
        }
        for tool, body in tools.items():
            (self.bin / tool).write_text(f"#!/bin/sh\n{body}\n")
            (self.bin / tool).chmod(0o755)
        self.library = TemplateLibrary(tmp)
        (tmp / "t.sh.j2").write_text('{% include "taskservice/services.sh.j2" %}\n{{ action }}\n')

    def run(self, action: str) -> subprocess.CompletedProcess[str]:
        script = self.library.step("t.sh.j2", step="configure", service="app", action=action)
        script = script.replace("/proc/1/comm", str(self.tmp / "comm"))
        script = script.replace("PATH=/usr/local/sbin:", f"PATH={self.bin}:/usr/local/sbin:")
        return subprocess.run(["sh", "-eu", "-c", script], capture_output=True, text=True, check=False)


def test_service_log_shows_the_units_own_messages(tmp_path: Path) -> None:
    done = ServiceHost(tmp_path, "systemd").run("service_log app")
    assert (done.returncode, done.stdout) == (0, "app: cannot open /etc/app.conf\n"), done.stderr


def test_service_restart_fails_with_the_log_when_the_start_fails(tmp_path: Path) -> None:
    done = ServiceHost(tmp_path, "systemd").run("service_restart app 8080\necho restarted")
    assert done.returncode != 0 and "restarted" not in done.stdout
    assert "error: systemctl start app failed: app: cannot open /etc/app.conf" in done.stderr


def test_a_host_without_systemd_stops_with_a_clear_error(tmp_path: Path) -> None:
    done = ServiceHost(tmp_path, "sh").run("echo went on")
    assert done.returncode != 0 and "went on" not in done.stdout
    said = "this host does not run systemd (PID 1 is sh): task services need a Debian 12 host with systemd"
    assert said in done.stderr
