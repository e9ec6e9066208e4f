"""MariaDB's rendered files against fixtures (`fixtures_mariadb/<scenario>/<path on the host>`), my.cnf
checked by `mariadbd --help` (which refuses unknown settings); every step script and executable file is
valid POSIX sh, holds no secret, and a change touches only the steps it concerns."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from provisioning.components.taskservs.mariadb.render import Host, config_files, scripts
from provisioning.components.taskservs.mariadb.spec import MariaDBConfig
from tests.support.tools import assert_posix_sh, run_tool

from .mocks import files_under

FIXTURES = Path(__file__).with_name("fixtures_mariadb")
_FULL = MariaDBConfig(
    name="orders",
    port=3307,
    max_connections=250,
    users=[{"name": "app"}, {"name": "report"}],
    databases=[{"name": "shop", "owner": "app"}, {"name": "audit"}],
    replication={"enabled": True, "replicas": 2},
    backup={"enabled": True, "schedule": "*/30 1-5 * * mon-fri", "retention_days": 14,
            "storage_location": "/srv/orders-backups"},
    monitoring={"enabled": True, "metrics_port": 9300},
)  # fmt: skip
SCENARIOS: dict[str, tuple[MariaDBConfig, Host]] = {
    "defaults": (MariaDBConfig(name="db"), Host("10.60.0.5")),
    "full-primary": (_FULL, Host("10.60.0.5")),
    "full-replica": (_FULL, Host("10.60.0.7", "replica", 1, "10.60.0.5")),
}
"""name → (config, host)."""


def _mariadbd_help(cnf: Path) -> subprocess.CompletedProcess[str]:
    """What `mariadbd --help` makes of the settings in `cnf` (it refuses unknown ones)."""
    return run_tool("mariadbd", "mariadb-server", f"--defaults-file={cnf}", "--verbose", "--help")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_files_match_the_fixtures(scenario: str) -> None:
    assert config_files(*SCENARIOS[scenario]) == files_under(FIXTURES / scenario)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_mariadbd_accepts_the_rendered_my_cnf(scenario: str, tmp_path: Path) -> None:
    cnf = tmp_path / "my.cnf"
    cnf.write_text(config_files(*SCENARIOS[scenario])["/etc/mariadb/my.cnf"])
    done = _mariadbd_help(cnf)
    assert done.returncode == 0, done.stderr[-800:]
    settings = dict(re.findall(r"^([a-z-]+) +(\S.*)$", done.stdout, re.MULTILINE))
    config, host = SCENARIOS[scenario]
    assert settings["port"] == str(config.port) and settings["server-id"] == str(host.server_id)
    assert settings["read-only"] == ("TRUE" if host.role == "replica" else "FALSE")
    assert settings["log-bin"] == ("mariadb-bin" if config.replication.enabled and host.role == "primary"
                                   else "(No default value)")  # fmt: skip


def test_a_bad_setting_is_what_mariadbd_refuses(tmp_path: Path) -> None:
    """The check above can fail: mariadbd refuses a setting it does not know."""
    cnf = tmp_path / "my.cnf"
    cnf.write_text(config_files(*SCENARIOS["defaults"])["/etc/mariadb/my.cnf"] + "no_such_setting = 1\n")
    done = _mariadbd_help(cnf)
    assert done.returncode != 0 and "unknown variable 'no_such_setting=1'" in done.stderr


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scripts_and_executables_are_posix_sh(scenario: str) -> None:
    config, host = SCENARIOS[scenario]
    found = scripts(config, host)
    assert ("standby" in found) == (host.role == "replica")
    for name, script in found.items():
        assert_posix_sh(name, script)
    for path, text in config_files(config, host).items():
        if text.startswith("#!/bin/sh"):
            assert_posix_sh(path, text)


def test_a_change_touches_only_the_steps_it_concerns() -> None:
    config, host = SCENARIOS["full-primary"]
    before = scripts(config, host)

    def changed(**values: object) -> list[str]:
        after = scripts(config.model_copy(update=values), host)
        return sorted(step for step in before if before[step] != after[step])

    assert changed(max_connections=7) == ["configure"]
    assert changed(users=[{"name": "app"}]) == ["credentials"]
    assert changed(keep_data=True) == ["remove", "remove-armed"]


def test_keep_data_keeps_the_data_folder_and_the_backups() -> None:
    config, host = SCENARIOS["full-primary"]
    dropping = scripts(config, host)["remove"]
    keeping = scripts(config.model_copy(update={"keep_data": True}), host)["remove"]
    for removal in ('rm -rf "$DATA"\n', 'rm -f "$STORAGE"/mariadb-*\n'):
        assert removal in dropping and removal not in keeping
    assert "KEPT='/var/lib/mariadb/data /srv/orders-backups'" in keeping


def test_secrets_reach_the_host_only_on_stdin() -> None:
    config, host = SCENARIOS["full-replica"]
    found = scripts(config, host)
    assert "IFS= read -r REPLICATION_PASSWORD" in found["standby"]
    assert "MYSQL_PWD=$REPLICATION_PASSWORD mariadb-dump" in found["standby"]
    primary = scripts(*SCENARIOS["full-primary"])["credentials"]
    assert "while read -r name encoded" in primary and "IDENTIFIED BY PASSWORD '$hash'" in primary
    # the exporter's password is made on the host and kept in a 0600 file only
    assert "put_file /etc/mariadb/exporter.cnf 0600 prometheus:prometheus" in primary
