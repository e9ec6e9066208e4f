"""CustomDatabase's rendered files against fixtures (`fixtures/<scenario>/<path on the host>`), and its step
scripts: valid POSIX sh, no secret in them, each value from the config where it belongs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from provisioning.components.taskservs.custom_database.render import (
    Host,
    config_files,
    pg_memory,
    scripts,
)
from provisioning.components.taskservs.custom_database.spec import CustomDatabaseConfig
from provisioning.sdk.taskservice import remote_command
from tests.support.tools import assert_posix_sh

from .mocks import files_under
from .scenarios import SCENARIOS

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_rendered_files_match_the_fixtures(scenario: str) -> None:
    config, host = SCENARIOS[scenario]
    assert config_files(config, host) == files_under(FIXTURES / scenario)


def test_memory_limit_gives_shared_buffers_and_effective_cache_size() -> None:
    assert (pg_memory(128 * 1024**2), pg_memory(384 * 1024**2)) == ("128MB", "384MB")
    assert pg_memory(3 * 1024**3) == "3GB" and pg_memory(1000 * 1024**2 // 4) == "250MB"
    assert pg_memory(1536 * 1024) == "1536kB"
    files = config_files(CustomDatabaseConfig(name="db", memory_limit="8GB", max_connections=321), Host("h"))
    conf = files["/etc/customdb/customdb.conf"]
    assert "\nshared_buffers = 2GB\n" in conf and "\neffective_cache_size = 6GB\n" in conf
    assert "\nmax_connections = 321\n" in conf


def test_sync_replication_names_every_standby_and_async_none() -> None:
    sync = CustomDatabaseConfig(name="db", replication={"enabled": True, "mode": "sync", "replicas": 3})
    conf = config_files(sync, Host("10.0.0.5"))["/etc/customdb/customdb.conf"]
    assert "synchronous_standby_names = 'ANY 1 (db_replica_0, db_replica_1, db_replica_2)'" in conf
    asynchronous = sync.model_copy(
        update={"replication": sync.replication.model_copy(update={"mode": "async"})}
    )
    assert (
        "synchronous_standby_names"
        not in config_files(asynchronous, Host("10.0.0.5"))["/etc/customdb/customdb.conf"]
    )


@pytest.mark.parametrize("separate_replicator", [False, True], ids=["one-password", "replicator-apart"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_step_scripts_are_posix_sh(scenario: str, separate_replicator: bool) -> None:
    config, host = SCENARIOS[scenario]
    for step, found in scripts(config, host, separate_replicator=separate_replicator).items():
        for kind in ("run", "update", "delete"):
            text = getattr(found, kind)
            if text is None:
                continue
            assert_posix_sh(f"{scenario} {step}.{kind}", text)
            assert_posix_sh(f"{scenario} {step}.{kind}.remote", remote_command(step, text))


def test_steps_of_a_primary_and_of_a_replica() -> None:
    config = CustomDatabaseConfig(name="db", replication={"enabled": True})
    assert list(scripts(config, Host("10.0.0.5"))) == [
        "remove", "version", "install", "credentials", "configure", "health",
    ]  # fmt: skip
    replica = scripts(config, Host("10.0.0.6", "replica", 0, "10.0.0.5"))
    assert "standby" in replica
    assert "pg_basebackup" in replica["standby"].run and '-h "$PRIMARY"' in replica["standby"].run
    assert '"$BIN/initdb"' not in replica["install"].run  # a standby is cloned, never initialised
    assert '"$BIN/initdb"' in scripts(config, Host("10.0.0.5"))["install"].run


def test_each_step_does_its_own_job() -> None:
    found = scripts(CustomDatabaseConfig(name="db", keep_data=True), Host("10.0.0.5"))
    assert "require_version" in found["version"].run and "ensure_packages" in found["version"].run
    assert found["version"].update is not None and "pg_upgrade" in found["version"].update
    assert "pre-update" in found["version"].update
    assert "initdb" in found["install"].run
    assert "put_file /etc/customdb/customdb.conf" in found["configure"].run
    assert "openssl req -x509" in found["configure"].run  # no cert_file: self-signed
    assert "start_db" in found["configure"].run
    assert "ALTER ROLE postgres WITH PASSWORD" in found["credentials"].run
    assert (
        found["remove"].delete is not None
        and "KEPT='/var/lib/customdb/data /var/backups/customdb'" in found["remove"].delete
    )
    no_keep = scripts(CustomDatabaseConfig(name="db"), Host("10.0.0.5"))["remove"].delete
    assert no_keep is not None and "KEPT=''" in no_keep


def test_given_certificates_are_used_not_generated() -> None:
    config = CustomDatabaseConfig(
        name="db", ssl={"cert_file": "/etc/ssl/db/c.pem", "key_file": "/etc/ssl/db/k.pem"}
    )
    configure = scripts(config, Host("10.0.0.5"))["configure"].run
    assert "openssl req" not in configure
    assert "ssl.cert_file /etc/ssl/db/c.pem does not exist on this host" in configure
    health = scripts(config, Host("10.0.0.5"))["health"].run
    assert "sslmode=require" in health and "verify-full" not in health


def test_the_health_check_verifies_the_self_signed_certificate() -> None:
    health = scripts(CustomDatabaseConfig(name="db"), Host("10.0.0.5"))["health"].run
    assert "sslmode=verify-full sslrootcert=/etc/customdb/ssl/server.crt" in health
    assert "host=10.0.0.5 port=5432" in health


def test_a_value_with_quotes_stays_one_shell_word() -> None:
    config = CustomDatabaseConfig(name="db", backup={"schedule": "0 3 * * sun"})
    configure = scripts(config, Host("10.0.0.5"))["configure"].run
    assert "0 3 * * sun root /usr/local/sbin/customdb-backup" in configure
    health = scripts(config, Host("10.0.0.5"))["health"].run
    assert "grep -qF '0 3 * * sun root /usr/local/sbin/customdb-backup' /etc/cron.d/customdb-backup" in health


@pytest.mark.parametrize(
    ("values", "primary", "replica"),
    [
        ({"version": "15.18"}, {"version"}, {"version"}),
        ({"version": "16"}, {"version"}, {"version"}),
        ({"max_connections": 5}, {"configure"}, {"configure"}),
        ({"memory_limit": "1GB"}, {"configure"}, {"configure"}),
        ({"keep_data": True}, {"remove"}, {"remove"}),
        ({"port": 6000}, {"configure", "health"}, {"configure", "credentials", "health"}),
        ({"backup": {"schedule": "1 1 * * *"}}, {"configure", "health"}, {"configure", "health"}),
        ({"monitoring": {"metrics_port": 9300}}, {"configure", "health"}, {"configure", "health"}),
        ({"replication": {"enabled": True, "mode": "sync"}}, {"configure"}, set()),
        ({"backup": {"enabled": False}}, {"configure", "health"}, {"configure", "health"}),
        (
            {"backup": {"storage_location": "/srv/db/dumps"}},
            {"configure", "health", "remove"},
            {"configure", "health", "remove"},
        ),
        (
            {"data_directory": "/srv/db/data"},
            {"install", "configure", "credentials", "health", "remove"},
            {"install", "standby", "configure", "credentials", "health", "remove"},
        ),
    ],
)
def test_a_change_touches_only_the_steps_it_concerns(
    values: dict[str, object], primary: set[str], replica: set[str]
) -> None:
    """pulumi-command reruns exactly the steps whose scripts change: a config change reruns configure, a
    version change the version step (its update), keep_data only the remove step's delete."""
    start = {"replication": {"enabled": True}}
    for host, expected in (
        (Host("10.0.0.5"), primary),
        (Host("10.0.0.6", "replica", 0, "10.0.0.5"), replica),
    ):
        before = scripts(CustomDatabaseConfig(name="db", **start), host)
        after = scripts(CustomDatabaseConfig(name="db", **{**start, **values}), host)
        assert {step for step in before if before[step] != after[step]} == expected, host.role


@pytest.mark.parametrize(
    ("os_release", "meminfo_kb", "error"),
    [
        ('ID=debian\nVERSION_ID="12"\n', 2048000, None),
        ("ID=ubuntu\nID_LIKE=debian\n", 2048000, None),
        ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', 2048000, None),
        (
            "ID=fedora\n",
            2048000,
            "unsupported OS 'fedora': CustomDatabase installs on Debian and Ubuntu "
            "(/etc/os-release ID or ID_LIKE)",
        ),
        ("ID=debian\n", 400000, "the host has 390 MB of memory; CustomDatabase needs at least 512 MB"),
    ],
)
def test_prerequisites_say_what_is_missing(
    os_release: str, meminfo_kb: int, error: str | None, tmp_path: Path
) -> None:
    """The version step's first checks, run against stand-in /etc/os-release and /proc/meminfo files."""
    (tmp_path / "os-release").write_text(os_release)
    (tmp_path / "meminfo").write_text(f"MemTotal:       {meminfo_kb} kB\nMemFree: 1 kB\n")
    from provisioning.components.taskservs.custom_database.render import TEMPLATES, context

    values = context(CustomDatabaseConfig(name="db"), Host("10.0.0.5"))
    shared = TEMPLATES.render("taskservice/packages.sh.j2", service="customdb")
    script = TEMPLATES.step("packages.sh.j2", step="version", **{**values, "files": {}}) + shared
    script = script.replace(". /etc/os-release", f". {tmp_path / 'os-release'}").replace(
        "/proc/meminfo", str(tmp_path / "meminfo")
    )
    done = subprocess.run(["sh", "-eu", "-c", script + "\nrequire_supported_os\nrequire_memory\necho ok\n"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if error is None:
        assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr
    else:
        assert done.returncode == 1 and done.stderr.strip() == f"customdb version: error: {error}"
