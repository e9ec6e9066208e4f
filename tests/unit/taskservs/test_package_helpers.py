"""The task services' package helpers (taskservice/packages.sh.j2) run with sh against a stand-in for apt
(fake_apt.py): two services on one host sharing a package; each removal leaves the packages as they were
before that service came, and a package the other still needs stays with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from provisioning.sdk.taskservice import TemplateLibrary

BASE = {"base-files": "manual", "python3": "manual"}
DEPENDS = {
    "prometheus": ["libprom"],
    "curl": ["libcurl4"],
    "libcurl4": ["libssl"],
    "prometheus-node-exporter": [],
    "app": ["libpq"],
}


class Host:
    """A folder standing for a host's /var/lib/provisioning, /run/lock and apt."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.state = tmp / "apt.json"
        self.state.write_text(json.dumps({"installed": dict(BASE), "depends": DEPENDS}))
        self.bin = tmp / "bin"
        self.bin.mkdir()
        fake = Path(__file__).with_name("fake_apt.py")
        for tool in ("apt-get", "apt-mark", "dpkg-query"):
            (self.bin / tool).write_text(f'#!/bin/sh\nexec {sys.executable} {fake} {tool} "$@"\n')
            (self.bin / tool).chmod(0o755)
        self.library = TemplateLibrary(tmp)
        (tmp / "t.sh.j2").write_text(
            '{% include "taskservice/state.sh.j2" %}\n'
            '{% include "taskservice/packages.sh.j2" %}\n'
            "{{ action }}\n"
        )

    def run(self, service: str, action: str) -> str:
        root = self.tmp / "var-lib-provisioning"
        script = self.library.step(
            "t.sh.j2", step="install", service=service, state_dir=f"{root}/{service}", action=action
        )
        for real, here in (("/var/lib/provisioning", root), ("/run/lock", self.tmp / "lock"),
                           ("/usr/sbin/policy-rc.d", self.tmp / "policy-rc.d"),
                           ("PATH=/usr/local/sbin:", f"PATH={self.bin}:/usr/local/sbin:")):  # fmt: skip
            script = script.replace(real, str(here))
        env = {**os.environ, "FAKE_APT_STATE": str(self.state)}
        done = subprocess.run(
            ["sh", "-eu", "-c", script], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    def installed(self) -> set[str]:
        return set(json.loads(self.state.read_text())["installed"])


def test_removals_leave_the_packages_as_found_and_keep_what_another_service_needs(tmp_path: Path) -> None:
    host = Host(tmp_path)
    host.run("prometheus", "need_packages prometheus curl")
    assert host.installed() == {*BASE, "prometheus", "libprom", "curl", "libcurl4", "libssl"}
    host.run("node-exporter", "need_packages prometheus-node-exporter curl")  # curl is there already
    assert "prometheus-node-exporter" in host.installed()

    said = host.run("prometheus", "purge_packages")
    assert "kept curl: node-exporter needs it" in said
    assert host.installed() == {*BASE, "prometheus-node-exporter", "curl", "libcurl4", "libssl"}

    host.run("node-exporter", "purge_packages")  # curl is its own now, and what came with it
    assert host.installed() == set(BASE)


def test_a_removal_keeps_what_was_there_before(tmp_path: Path) -> None:
    host = Host(tmp_path)
    host.run("webapp", "need_packages python3 curl")  # python3 came with the host
    host.run("webapp", "purge_packages")
    assert host.installed() == set(BASE)


def test_a_dependency_another_service_needs_stays_until_that_one_goes(tmp_path: Path) -> None:
    host = Host(tmp_path)
    host.run("webapp", "need_packages app")
    host.run("exporter", "need_packages libpq")  # installed already, as app's dependency
    assert "kept libpq: exporter needs it" in host.run("webapp", "purge_packages")
    assert host.installed() == {*BASE, "libpq"}
    host.run("exporter", "purge_packages")
    assert host.installed() == set(BASE)
