"""Machine hosts end to end, against a real emulator process (`--hosts machine`): two Debian 12 machines with
systemd as PID 1 in one subnet, each with its own host key and machine id; apt through the cloud's package
cache; stop / start / reboot as real shutdowns and boots; no way out of the bridge; nothing left in the kernel
after delete and shutdown."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cloud import start_cloud, stop_cloud

from .kernel import mounts_under, netns, processes
from .machine_cloud import MachineCloud, assert_running, machine_cloud, wait_status

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

POOL = "100.93.0.0/24"
"""This module's own public pool (claimed for the cloud's life); its `.1` is the package cache."""
CACHE_IP = "100.93.0.1"
VPC = "10.193.0.0/16"
PACKAGE = "hello"
"""A small package that is not in the image (installed through the cache in a test)."""


@dataclass
class World(MachineCloud):
    """The running emulator, an API client, the SSH helper and the two machines in one subnet."""

    a: dict[str, Any] = field(default_factory=dict)
    b: dict[str, Any] = field(default_factory=dict)
    subnet_id: str = ""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with machine_cloud(tmp_path_factory.mktemp("machine-e2e"), pool=POOL, kind=World) as w:
        w.subnet_id = w.subnet("e2e", VPC, "10.193.1.0/24")
        made = [w.request(n, subnet=w.subnet_id, external_ip=n == "alpha") for n in ("alpha", "beta")]
        w.a, w.b = (w.wait_status(m["id"], "running") for m in made)
        for inst in (w.a, w.b):
            w.trust(inst)
        yield w


def default_image_path() -> Path:
    """The minimal image this module's machines boot."""
    from provisioning.emulator.hosts.machine import default_image

    return default_image()


def test_admin_info_reports_machine(world: World) -> None:
    headers = {"Authorization": f"Bearer {world.cloud.admin_token}"}
    info = httpx.get(f"{world.cloud.root}/admin/info", headers=headers).raise_for_status().json()
    assert info["host_backend"] == "machine"


def test_systemd_is_pid_1_and_the_machine_is_running(world: World) -> None:
    for inst in (world.a, world.b):
        assert_running(world, inst)
        assert world.sh(inst, "systemctl is-active ssh.service").strip() == "active"
        assert world.sh(inst, ". /etc/os-release; echo $VERSION_ID").strip() == "12"


def test_identity_is_per_machine(world: World) -> None:
    a, b = world.a, world.b
    assert world.sh(a, "hostname").strip() == "alpha"
    assert world.sh(b, "hostname").strip() == "beta"
    ids = [world.sh(inst, "cat /etc/machine-id").strip() for inst in (a, b)]
    assert all(len(i) == 32 for i in ids) and ids[0] != ids[1], ids
    keys = [world.sh(inst, "cat /etc/ssh/ssh_host_ed25519_key.pub").split()[1] for inst in (a, b)]
    assert keys[0] != keys[1]
    assert a["ssh_host_key_fingerprints"] != b["ssh_host_key_fingerprints"]
    assert len(a["ssh_host_key_fingerprints"]) == 1
    assert not list((default_image_path() / "etc" / "ssh").glob("ssh_host_*")), "the image holds host keys"
    assert (default_image_path() / "etc" / "machine-id").read_text() == "", "the image holds a machine id"


def test_filesystems_are_private(world: World) -> None:
    marker = "/etc/e2e-only-alpha"
    world.sh(world.a, f"echo alpha > {marker} && mkdir -p /srv/data && echo 1 > /srv/data/f")
    assert world.sh(world.a, f"cat {marker}").strip() == "alpha"
    assert world.sh(world.b, f"test -e {marker}; echo $?").strip() == "1"
    assert not Path(marker).exists() and not Path("/srv/data/f").exists()
    assert not (default_image_path() / marker.lstrip("/")).exists(), "a write reached the shared image"


def _proc(pid: int, name: str) -> str:
    """`/proc/<pid>/<name>`, or "" when the process has just exited (an SSH session's, say)."""
    try:
        return Path(f"/proc/{pid}/{name}").read_text()
    except OSError:
        return ""


def test_each_machine_lives_in_its_own_cgroups(world: World) -> None:
    from provisioning.emulator.hosts.machine.cgroups import MachineCgroup, hierarchies

    cloud = hashlib.sha1(str(world.machines.resolve()).encode()).hexdigest()[:12]
    pids = {}
    for inst in (world.a, world.b):
        group = MachineCgroup(cloud, inst["id"])
        assert len(group.paths) == len(hierarchies()) >= 1
        pids[inst["id"]] = group.pids()
        names = {_proc(pid, "comm").strip() for pid in pids[inst["id"]]}
        assert {"systemd-nspawn", "systemd", "systemd-journal", "sshd"} <= names, names
        lines = {
            line.split(":", 2)[2]
            for pid in pids[inst["id"]]
            for line in _proc(pid, "cgroup").splitlines()
            if line.split(":", 2)[1] in ("name=systemd", "")
        }
        assert all(f"/provisioning-machines/{cloud}/{inst['id']}" in line for line in lines), lines
    assert not pids[world.a["id"]] & pids[world.b["id"]]


def test_addresses_and_no_way_out(world: World) -> None:
    a = world.a
    addrs = world.sh(a, "ip -4 -o addr show dev eth0")
    assert f"{a['private_ip']}/16" in addrs and f"{a['public_ip']}/32" in addrs
    routes = [line.strip() for line in world.sh(a, "ip -4 route").strip().splitlines()]
    assert not any(r.startswith("default") for r in routes), routes
    assert sorted(routes) == sorted(
        [
            f"{CACHE_IP} via 10.193.0.1 dev eth0",
            f"{VPC} dev eth0 proto kernel scope link src {a['private_ip']}",
        ]
    ), routes
    # No default route: a connection to any other address (TEST-NET-3, TEST-NET-2) fails in the machine's
    # own routing with ENETUNREACH, before any packet is sent; 127.x is the machine's own loopback.
    probe = (
        "import socket, sys\n"
        "for host in sys.argv[1:]:\n"
        "    s = socket.socket(); s.settimeout(3)\n"
        "    try: s.connect((host, 80)); print(host, 'connected')\n"
        "    except OSError as e: print(host, e.errno)\n"
    )
    out = world.sh(a, f'python3 -c "{probe}" 203.0.113.7 127.9.9.9 198.51.100.7 2>&1')
    lines = dict(line.split() for line in out.strip().splitlines())
    assert lines["203.0.113.7"] == "101" and lines["198.51.100.7"] == "101", out  # ENETUNREACH
    assert lines["127.9.9.9"] == "111", out  # its own loopback: refused locally
    bridge_forwarding = json.loads(
        subprocess.run(["ip", "-j", "link", "show", "type", "bridge"], capture_output=True, text=True,
                       check=True).stdout)  # fmt: skip
    for link in bridge_forwarding:
        if link["ifname"].startswith(("ccb", "ccp")):
            path = Path(f"/proc/sys/net/ipv4/conf/{link['ifname']}/forwarding")
            assert path.read_text().strip() == "0", link["ifname"]


def test_private_network_between_machines(world: World) -> None:
    port = 7070
    world.sh(world.b, f"systemd-run --unit e2e-web python3 -m http.server {port} --directory /etc")
    url = f"http://{world.b['private_ip']}:{port}/hostname"
    fetch = f"import urllib.request as u, time; time.sleep(0.5); print(u.urlopen('{url}', timeout=5).read())"
    assert world.sh(world.a, f'python3 -c "{fetch}"').strip() == "b'beta\\n'"


def test_package_cache_listens_only_on_its_bridge(world: World) -> None:
    listen = subprocess.run(["ss", "-Htlnp"], capture_output=True, text=True, check=True).stdout
    ours = [line for line in listen.splitlines() if ":3142" in line and "apt-cacher" in line]
    mine = [line for line in ours if f"{CACHE_IP}:3142" in line]
    assert mine, f"no package cache on {CACHE_IP}:3142: {ours}"
    assert all(" 0.0.0.0:3142" not in line and "*:3142" not in line for line in ours), ours
    conf = next(world.machines.glob("package-cache/conf/acng.conf")).read_text()
    assert "ForceManaged: 1" in conf and f"BindAddress: {CACHE_IP}" in conf


def test_package_cache_refuses_other_repositories(world: World) -> None:
    # Requests for anything but this machine's Debian archives are refused by the cache itself; the
    # addresses named here are loopback ones of the host, so even a wrong answer could send nothing away.
    probe = (
        "import http.client\n"
        "for path in ('/localhost/debian/dists/bookworm/Release', 'http://127.0.0.2/debian/x/Release',"
        " '/debian/dists/bookworm/Release'):\n"
        "    c = http.client.HTTPConnection('package-cache', 3142, timeout=30)\n"
        "    c.request('GET', path)\n"
        "    print(c.getresponse().status)\n"
    )
    out = world.sh(world.b, f'python3 -c "{probe}"').split()
    assert out == ["403", "403", "200"], out


def test_image_apt_sources_name_only_the_cache(world: World) -> None:
    from provisioning.emulator.hosts.machine import default_image
    from provisioning.emulator.hosts.machine.mirror import debian_repositories

    inside = world.sh(world.a, "cat /etc/apt/sources.list; ls /etc/apt/sources.list.d | wc -l")
    debs = [line.split() for line in inside.splitlines() if line.startswith("deb ")]
    assert debs and all(words[1].startswith("http://package-cache:3142/") for words in debs), inside
    assert inside.strip().endswith("0")
    assert (default_image() / "etc" / "apt" / "sources.list").read_text() in inside
    wanted = {(repo.path, suite) for repo in debian_repositories() for suite in repo.suites}
    assert {(words[1].removeprefix("http://package-cache:3142"), words[2]) for words in debs} == wanted


def test_cli_default_pool_is_the_settings_one() -> None:
    from provisioning.cli import cloud
    from provisioning.emulator.settings import MACHINE_PUBLIC_POOL, Settings

    assert cloud.MACHINE_PUBLIC_POOL == MACHINE_PUBLIC_POOL
    assert Settings(host_backend="machine").public_pool == MACHINE_PUBLIC_POOL
    with pytest.raises(ValueError, match="must be in 100.64.0.0/10 \\(machine hosts\\)"):
        Settings(host_backend="machine", public_pool="127.78.0.0/16")


def test_mirror_is_read_from_both_source_formats(tmp_path: Path) -> None:
    from provisioning.emulator.hosts.machine.mirror import debian_repositories

    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text(
        "# deb http://commented.test/debian bookworm main\n"
        "deb [arch=amd64] http://one.test/debian-security bookworm-security main contrib\n"
        "deb http://one.test/other stable main\n"
    )
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb deb-src\nURIs: http://two.test/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        "Types: deb\nEnabled: no\nURIs: http://off.test/debian\nSuites: bookworm\nComponents: main\n"
    )
    (tmp_path / "sources.list.d" / "x.list.disabled").write_text(
        "deb http://disabled.test/debian bookworm main\n"
    )
    repos = debian_repositories(tmp_path)
    assert [(r.uri, r.suites, r.components, r.path) for r in repos] == [
        ("http://two.test/debian", ("bookworm", "bookworm-updates"), ("main",), "/debian"),
        ("http://one.test/debian-security", ("bookworm-security",), ("main", "contrib"), "/debian-security"),
    ]
    (tmp_path / "sources.list.d" / "debian.sources").unlink()
    with pytest.raises(LookupError, match="no http\\(s\\) source for Debian bookworm"):
        debian_repositories(tmp_path)


def test_apt_install_through_the_cache(world: World) -> None:
    a = world.a
    assert world.sh(a, f"dpkg -s {PACKAGE} >/dev/null 2>&1; echo $?").strip() == "1", "already in the image"
    install = f"apt-get update -q 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q {PACKAGE} 2>&1"
    out = world.sh(a, install, timeout=300)
    assert f"Setting up {PACKAGE}" in out, out[-2000:]
    assert world.sh(a, PACKAGE).strip() == "Hello, world!"
    assert "package-cache:3142" in out, "apt did not go through the cache"
    log = next(world.machines.glob("package-cache/log/apt-cacher.log")).read_text()
    served = [line for line in log.splitlines() if f"/{PACKAGE}_" in line and ".deb" in line]
    assert any("|O|" in line and a["private_ip"] in line for line in served), (
        f"the cache's log shows no delivery of {PACKAGE} to {a['private_ip']}: {served or log[-1500:]}"
    )


def test_stop_start_reboot_are_real_shutdowns_and_boots(world: World) -> None:
    a, api = world.a, world.api
    unit = (
        "[Unit]\\nDescription=e2e\\n[Service]\\n"
        "ExecStart=/usr/bin/python3 -m http.server 8080 --directory /root\\n"
        "[Install]\\nWantedBy=multi-user.target\\n"
    )
    world.sh(a, f"echo kept > /root/e2e-disk && printf '{unit}' > /etc/systemd/system/e2e-web.service "
                 "&& systemctl enable --now e2e-web.service")  # fmt: skip
    pid1_started = world.sh(a, "cut -d' ' -f22 /proc/1/stat").strip()
    api.post(f"/instances/{a['id']}/stop").raise_for_status()
    wait_status(api, a["id"], "stopped")
    console = (world.machines / "instances" / a["id"] / "console.log").read_text(errors="replace")
    assert "Power-Off" in console or "powering off" in console.lower() or "System Power Off" in console, (
        console[-1500:]
    )
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://{a['private_ip']}:8080/e2e-disk", timeout=1)
    api.post(f"/instances/{a['id']}/start").raise_for_status()
    wait_status(api, a["id"], "running")
    assert_running(world, a)
    assert world.sh(a, "cat /root/e2e-disk").strip() == "kept"
    assert world.sh(a, "systemctl is-active e2e-web.service").strip() == "active"
    assert httpx.get(f"http://{a['private_ip']}:8080/e2e-disk", timeout=5).text.strip() == "kept"
    started = world.sh(a, "cut -d' ' -f22 /proc/1/stat").strip()
    assert int(started) > int(pid1_started), "start booted no new systemd"
    api.post(f"/instances/{a['id']}/reboot").raise_for_status()
    wait_status(api, a["id"], "running")
    assert_running(world, a)
    assert int(world.sh(a, "cut -d' ' -f22 /proc/1/stat").strip()) > int(started), (
        "reboot booted no new systemd"
    )
    assert world.sh(a, "systemctl is-active e2e-web.service").strip() == "active"


LIMITS = "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us"
"""Inside a machine: its memory limit (bytes) and CPU quota (µs per 100 ms period)."""


def test_the_machine_type_limits_memory_and_cpu_and_a_resize_applies_at_the_next_boot(world: World) -> None:
    a, api = world.a, world.api
    assert world.sh(a, LIMITS).split() == [str(1 << 30), "100000"]  # micro: 1 GiB, 1 CPU
    api.post(f"/instances/{a['id']}/stop").raise_for_status()
    wait_status(api, a["id"], "stopped")
    api.patch(f"/instances/{a['id']}", json={"machine_type": "medium"}).raise_for_status()
    api.post(f"/instances/{a['id']}/start").raise_for_status()
    wait_status(api, a["id"], "running")
    assert_running(world, a)
    assert world.sh(a, LIMITS).split() == [str(4 << 30), "200000"]  # medium: 4 GiB, 2 CPUs


def test_machines_booting_at_once_are_all_running(world: World) -> None:
    # Each machine in its own cgroups before it starts: booting together, none comes up `degraded`.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        made = list(pool.map(lambda i: world.request(f"many-{i}"), range(6)))
    try:
        for doc in made:
            inst = world.wait_status(doc["id"], "running")
            world.trust(inst)
            assert_running(world, inst)
        ids = {world.sh(doc, "cat /etc/machine-id").strip() for doc in made}
        assert len(ids) == len(made)
    finally:
        for doc in made:
            world.api.delete(f"/instances/{doc['id']}")
        for doc in made:
            world.wait_deleted(doc["id"])


def test_a_public_address_given_up_and_handed_out_again_answers_at_once(world: World) -> None:
    """A load balancer turned off and on again gets its public address back on a new machine (another
    MAC): the host must not send to the old one (it did, for up to a minute: SSH's key scan failed)."""
    addresses = []
    for name in ("again-1", "again-2"):
        inst = world.create(name, subnet=world.subnet_id, external_ip=True)
        addresses.append(inst["public_ip"])
        assert world.sh(inst, "hostname").strip() == name
        world.api.delete(f"/instances/{inst['id']}").raise_for_status()
        world.wait_deleted(inst["id"])
    assert addresses[0] == addresses[1], addresses  # the address was handed out again


def test_delete_with_keep_storage_keeps_the_disk_as_a_volume(world: World) -> None:
    inst = world.create("keeper", subnet=world.subnet_id)
    world.sh(inst, "echo precious > /root/kept-on-disk")
    world.api.delete(f"/instances/{inst['id']}", params={"keep_storage": "true"}).raise_for_status()
    world.wait_deleted(inst["id"])
    retained = [v for v in world.api.get("/volumes").raise_for_status().json()["items"]
                if v["source_instance_id"] == inst["id"]]  # fmt: skip
    assert len(retained) == 1, retained
    folder = world.machines / "volumes" / retained[0]["id"]
    assert (folder / "upper" / "root" / "kept-on-disk").read_text() == "precious\n"
    assert not (world.machines / "instances" / inst["id"]).exists()
    assert world.api.delete(f"/volumes/{retained[0]['id']}").status_code == 204
    assert not folder.exists()


def _restart(w: World, *, kill: bool) -> None:
    """Stop the emulator (SIGKILL or SIGTERM) and start it again on the same state."""
    w.api.close()
    stop_cloud(w.cloud.process, kill=kill)
    w.cloud = start_cloud(w.cloud.state, api_key=w.cloud.api_key, admin_token=w.cloud.admin_token,
                          hosts="machine", public_pool=POOL, lifecycle="immediate", timeout=90)  # fmt: skip
    w.api = w.cloud.client(timeout=120)


def _nspawn_pids(w: World) -> dict[str, int]:
    from provisioning.emulator.hosts.machine.pidfile import PidFile

    found = {}
    for inst in (w.a, w.b):
        pid = PidFile(w.machines / "instances" / inst["id"] / "pid").alive()
        if pid is not None:
            found[inst["id"]] = pid
    return found


def test_emulator_kill_and_restart(world: World) -> None:
    before = _nspawn_pids(world)
    assert len(before) == 2, before
    world.sh(world.b, "echo survives > /root/restart-marker")
    # A killed emulator leaves its machines running; the next one adopts them (same processes) and
    # replaces the package cache the killed one left.
    _restart(world, kill=True)
    assert _nspawn_pids(world) == before
    for inst in (world.a, world.b):
        assert_running(world, inst)
    assert world.sh(world.b, "apt-get update -q >/dev/null 2>&1; echo $?").strip() == "0"
    # A stopped emulator powers its machines off; the next one boots those of running instances again.
    _restart(world, kill=False)
    after = _nspawn_pids(world)
    assert set(after) == set(before) and all(after[i] != before[i] for i in before), (before, after)
    for inst in (world.a, world.b):
        assert_running(world, inst)
    assert world.sh(world.b, "cat /root/restart-marker").strip() == "survives"


def _kernel_leftovers(w: World, ids: list[str], *, cloud_up: bool) -> dict[str, list[str]]:
    """What of the machines `ids` remains (with `cloud_up`, the cloud's package cache is no leftover)."""
    from provisioning.emulator.hosts.machine.cgroups import hierarchies
    from provisioning.emulator.hosts.machine.netns import netns_name
    from provisioning.emulator.hosts.machine.network import veth_name

    shown = subprocess.run(["ip", "-j", "link", "show"], capture_output=True, text=True, check=True).stdout
    links = {link["ifname"] for link in json.loads(shown)}
    procs = [
        f"{pid}: {cmd[:200]}"
        for pid, cmd, _ in processes()
        if not (cloud_up and cmd.startswith("apt-cacher-ng "))
        and str(w.state_dir) in cmd
        and " cloud serve " not in cmd
    ]
    cgroups = [str(p) for h in hierarchies() for iid in ids for p in h.glob(f"provisioning-machines/*/{iid}")]
    return {
        "links": sorted(links & {veth_name(i) for i in ids}),
        "netns": sorted(set(netns()) & {netns_name(i) for i in ids}),
        "mounts": mounts_under(w.state_dir),
        "processes": procs,
        "cgroups": cgroups,
    }


def test_delete_and_shutdown_leave_nothing(world: World) -> None:
    ids = [world.a["id"], world.b["id"]]
    for iid in ids:
        world.api.delete(f"/instances/{iid}").raise_for_status()
    for iid in ids:
        world.wait_deleted(iid)
        assert not (world.machines / "instances" / iid).exists()
    empty: dict[str, list[str]] = {"links": [], "netns": [], "mounts": [], "processes": [], "cgroups": []}
    assert _kernel_leftovers(world, ids, cloud_up=True) == empty
    stop_cloud(world.cloud.process)
    assert _kernel_leftovers(world, ids, cloud_up=False) == empty
    tag = "provisioning-machine:" + hashlib.sha1(str(world.machines.resolve()).encode()).hexdigest()[:12]
    links = json.loads(subprocess.run(["ip", "-j", "-d", "link", "show"], capture_output=True, text=True,
                                      check=True).stdout)  # fmt: skip
    assert [link["ifname"] for link in links if link.get("ifalias") == tag] == [], (
        "bridges of the cloud remain"
    )
    listen = subprocess.run(["ss", "-Htln"], capture_output=True, text=True, check=True).stdout
    assert f"{CACHE_IP}:3142" not in listen, "the package cache outlived its cloud"
