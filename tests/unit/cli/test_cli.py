"""The `provisioning` command: its structure, layering, help texts, key file and option errors."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from provisioning import __version__, cli
from provisioning.cli import cloud
from provisioning.emulator.settings import key_path

ROOT = Path(__file__).resolve().parents[3]
LIBRARY_LAYERS = ("sdk", "providers", "components", "policies", "emulator")
CLOUD_ENV = (
    "CUSTOM_CLOUD_BOOTSTRAP_PROJECT",
    "CUSTOM_CLOUD_BOOTSTRAP_KEY",
    "CUSTOM_CLOUD_ADMIN_TOKEN",
    "CUSTOM_CLOUD_HOSTS",
    "CUSTOM_CLOUD_STATE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLOUD_ENV:
        monkeypatch.delenv(name, raising=False)


def test_every_command_group_is_a_module_with_register() -> None:
    parser = cli.build_parser()
    for name in cli.COMMAND_GROUPS:
        module = importlib.import_module(f"provisioning.cli.{name}")
        assert callable(module.register), name
        assert f"    {name}" in parser.format_help()


def test_console_script_and_python_m_run_the_same_main() -> None:
    scripts = importlib.metadata.entry_points(group="console_scripts", name="provisioning")
    assert [ep.value for ep in scripts] == ["provisioning.cli:main"]
    done = subprocess.run(
        [sys.executable, "-m", "provisioning.cli", "cloud", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "serve" in done.stdout and "key" in done.stdout
    assert importlib.util.find_spec("provisioning.sdk.cli") is None  # moved, not copied


def test_parsing_and_cloud_key_load_neither_the_emulator_nor_pulumi(tmp_path: Path) -> None:
    """Only the emulator's settings module (the defaults and variables the help names) and the lazy-name
    helper."""
    cloud.ensure_key_file(tmp_path / "s.db.key")
    code = (
        "import sys\n"
        "from provisioning.cli import build_parser, main\n"
        "build_parser().format_help()\n"
        f"assert main(['cloud', 'key', '--state', {str(tmp_path / 's.db')!r}]) == 0\n"
        "heavy = ('provisioning.emulator.', 'provisioning.sdk.', 'pulumi', 'uvicorn', 'fastapi')\n"
        "light = ('provisioning.emulator.settings', 'provisioning.sdk._lazy')  # defaults; lazy names\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy) and m not in light))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def _imported_modules(path: Path, package: str) -> Iterator[str]:
    """Absolute names of every module `path` (a module of `package`) imports, relative ones resolved."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def test_library_layers_never_import_the_cli() -> None:
    offenders = []
    for layer in LIBRARY_LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            parts = ["provisioning", *relative.parts]
            package = ".".join(parts if path.name == "__init__.py" else parts[:-1])
            for name in _imported_modules(path, package.removesuffix(".__init__")):
                if name == "provisioning.cli" or name.startswith("provisioning.cli."):
                    offenders.append(f"{relative}: {name}")
    assert offenders == []


def test_public_pool_help_tells_the_emulators_defaults(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "1000")  # one line per option: phrases never wrap
    with pytest.raises(SystemExit):
        cli.main(["cloud", "serve", "--help"])
    text = capsys.readouterr().out
    pool_help = text[text.index("\n  --public-pool CIDR") : text.index("\n  --lifecycle {")]
    for needle in (
        "127.0.0.0/8",
        "records only",
        "127.77.0.0/16",
        "100.64.0.0/10",
        "bridges",
        "100.79.0.0/16",
    ):
        assert needle in pool_help, needle
    hosts_help = text[text.index("\n  --hosts {") : text.index("\n  --public-pool CIDR")]
    for needle in ("namespaces", "bridges", "routes", "cgroups", "root", "systemd-nspawn"):
        assert needle in hosts_help, needle


def test_key_file_is_made_0600_and_reused(tmp_path: Path) -> None:
    path = key_path(tmp_path / "cloud.db")
    assert path == tmp_path / "cloud.db.key"
    old_umask = os.umask(0)  # even a umask that lets everything through gives 0600
    try:
        key, made = cloud.ensure_key_file(path)
    finally:
        os.umask(old_umask)
    assert made and key.startswith("cc_") and len(key) > 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cloud.ensure_key_file(path) == (key, False)
    assert cloud.read_key_file(path) == key


def test_key_file_open_to_others_empty_or_missing_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "cloud.db.key"
    with pytest.raises(cli.CliError, match=r"provisioning cloud serve"):
        cloud.read_key_file(path)
    cloud.ensure_key_file(path)
    path.chmod(0o644)
    with pytest.raises(cli.CliError, match=rf"chmod 600 {path}"):
        cloud.read_key_file(path)
    path.write_text("\n")
    path.chmod(0o600)
    with pytest.raises(cli.CliError, match=r"holds no API key: delete it"):
        cloud.read_key_file(path)


def test_cloud_key_prints_the_key_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, _ = cloud.ensure_key_file(tmp_path / "s.db.key")
    assert cli.main(["cloud", "key", "--state", str(tmp_path / "s.db")]) == 0
    assert capsys.readouterr().out == key + "\n"
    assert cli.main(["cloud", "key", "--state", str(tmp_path / "other.db")]) == 2
    assert "no API key at" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "env", "needles"),
    [
        (["--bootstrap-key", "k-secret"], {}, ["--bootstrap-project", "CUSTOM_CLOUD_BOOTSTRAP_PROJECT"]),
        (
            [],
            {"CUSTOM_CLOUD_BOOTSTRAP_KEY": "k-secret"},
            ["--bootstrap-project", "CUSTOM_CLOUD_BOOTSTRAP_PROJECT"],
        ),
        (["--bootstrap-project", "p"], {}, ["CUSTOM_CLOUD_BOOTSTRAP_KEY", "--bootstrap-key"]),
        ([], {"CUSTOM_CLOUD_HOSTS": "sandbox"}, ["CUSTOM_CLOUD_HOSTS='sandbox'", "record"]),
    ],
)
def test_inconsistent_options_exit_2_with_what_to_add(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    needles: list[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    state = tmp_path / "state" / "s.db"
    assert cli.main(["cloud", "serve", "--port", "0", "--state", str(state), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("provisioning: error: ")
    for needle in needles:
        assert needle in err
    assert "k-secret" not in err
    assert not (tmp_path / "state").exists()  # nothing made before the options made sense


def test_memory_state_needs_a_bootstrap_project(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["cloud", "serve", "--port", "0", "--state", ":memory:"]) == 2
    assert "--bootstrap-project" in capsys.readouterr().err


def test_host_lines_say_what_each_backend_does_to_this_machine() -> None:
    machine = "\n".join(cloud.describe_hosts("machine", "auto", "--hosts auto", "100.79.0.0/16", "all here"))
    assert machine.startswith("custom-cloud hosts: machine (--hosts auto: all here)")
    for needle in ("Debian 12 machine", "systemd-nspawn", "root", "package cache", "100.79.0.0/16"):
        assert needle in machine, needle
    assert "--hosts record or CUSTOM_CLOUD_HOSTS=record" in machine
    record = cloud.describe_hosts(
        "record", "auto", "--hosts auto", "127.77.0.0/16", "no machine hosts: they need root"
    )
    assert record[0] == "custom-cloud hosts: record (--hosts auto: no machine hosts: they need root)"
    assert "nothing is created on this machine" in "\n".join(record)
    assert "--hosts machine" in record[-1]
    assert cloud.describe_hosts("record", "record", "--hosts record", "127.77.0.0/16", None)[0] == (
        "custom-cloud hosts: record (--hosts record)"
    )


def test_auto_picks_machine_hosts_where_they_can_run_else_records(monkeypatch: pytest.MonkeyPatch) -> None:
    from provisioning.emulator.hosts import machine, resolve_host_backend

    monkeypatch.setattr(machine, "machine_unavailable_reason", lambda image=None: None)
    assert resolve_host_backend("auto")[0] == "machine"
    monkeypatch.setattr(machine, "machine_unavailable_reason", lambda image=None: "no image")
    assert resolve_host_backend("auto") == ("record", "no machine hosts: no image")
    assert resolve_host_backend("record") == ("record", None)


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "provisioning.cli", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == f"provisioning {__version__}"
