"""Host work outside the write transaction, in process with a fake host backend whose calls can be held
or made to fail: the writer stays free during a boot, failures leave a clear state, a restart recovers."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest

import provisioning.emulator.app as emulator_app
from provisioning.emulator import ApiError, HostEndpoint, Settings, create_app

from .conftest import ADMIN, API_KEY, AsgiClient, instance_body


class FakeHosts:
    """A host backend that records its hosts; `gate` holds every call while clear, `fail` names the actions
    that raise (as a machine host failure does: an `ApiError`, 500 `internal`)."""

    name = "fake"

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.fail: set[str] = set()
        self.live: set[str] = set()
        self.up: set[str] = set()
        self.calls: list[tuple[str, str]] = []

    def _call(self, action: str, iid: str) -> None:
        self.calls.append((action, iid))
        self.entered.set()
        assert self.gate.wait(30), "the test never released the host call"
        if action in self.fail:
            raise ApiError(f"machine host failed: {action} of {iid}")

    def create(self, instance: dict[str, Any]) -> HostEndpoint:
        iid = instance["id"]
        self.live.add(iid)  # made before it may fail, as a half-booted machine
        self._call("create", iid)
        self.up.add(iid)
        return HostEndpoint(ssh_host=instance["private_ip"], ssh_port=22, fingerprints=[f"SHA256:{iid}"])

    def start(self, instance_id: str) -> None:
        self._call("start", instance_id)
        self.up.add(instance_id)

    def stop(self, instance_id: str) -> None:
        self._call("stop", instance_id)
        self.up.discard(instance_id)

    def reboot(self, instance_id: str) -> None:
        self.up.discard(instance_id)
        self._call("reboot", instance_id)
        self.up.add(instance_id)

    def delete(self, instance_id: str, *, retained_volume_id: str | None = None) -> None:
        self._call("delete", instance_id)
        self.up.discard(instance_id)
        self.live.discard(instance_id)


Hosted = Callable[..., tuple[AsgiClient, FakeHosts]]


@pytest.fixture
def hosted(make_client: Any, monkeypatch: pytest.MonkeyPatch) -> Hosted:
    """Factory of in-process clients whose app runs on a new `FakeHosts` (`hosted(**settings)`)."""

    def make(**overrides: Any) -> tuple[AsgiClient, FakeHosts]:
        hosts = FakeHosts()
        monkeypatch.setattr(emulator_app, "make_host_backend", lambda name, settings: hosts)
        return make_client(**overrides), hosts

    return make


@pytest.fixture
def reopen(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path, FakeHosts], AsgiClient]]:
    """Start an app on an existing state file with the given hosts (a restart); `reopen(state, hosts)`."""
    with anyio.from_thread.start_blocking_portal() as portal:
        made: list[AsgiClient] = []

        def make(state: Path, hosts: FakeHosts) -> AsgiClient:
            monkeypatch.setattr(emulator_app, "make_host_backend", lambda name, settings: hosts)
            settings = Settings(
                state_path=str(state),
                bootstrap_project="test",
                bootstrap_key=API_KEY,
                admin_token=ADMIN,
                lifecycle="immediate",
            )
            made.append(AsgiClient(create_app(settings), portal))
            return made[-1]

        yield make
        for client in made:
            client.app.state.store.close()


class Background:
    """A request run on another thread (it blocks while its host call is held)."""

    def __init__(self, call: Callable[[], httpx.Response]) -> None:
        self.response: httpx.Response | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], httpx.Response]) -> None:
        self.response = call()

    def result(self) -> httpx.Response:
        """Wait for the answer."""
        self._thread.join(30)
        assert self.response is not None, "the request did not answer"
        return self.response


@pytest.fixture
def held(hosted: Callable[..., tuple[AsgiClient, FakeHosts]]) -> Iterator[tuple[AsgiClient, FakeHosts]]:
    """A client whose host calls wait for `hosts.gate` (released at the end in any case)."""
    client, hosts = hosted()
    hosts.gate.clear()
    yield client, hosts
    hosts.gate.set()


def other_project(client: AsgiClient) -> dict[str, str]:
    """Headers of a new project's key."""
    made = client.admin("POST", "/admin/projects", json={"name": "other"})
    return {"Authorization": f"Bearer {made.json()['api_key']}"}


def only_instance(client: AsgiClient) -> dict[str, Any]:
    items: list[dict[str, Any]] = client.get("/v1/instances").json()["items"]
    assert len(items) == 1, items
    return items[0]


def test_a_host_boot_does_not_hold_other_writes(held: tuple[AsgiClient, FakeHosts]) -> None:
    client, hosts = held
    create = Background(lambda: client.post("/v1/instances", json=instance_body("slow")))
    assert hosts.entered.wait(10)  # the boot is under way, and held
    other = other_project(client)  # an admin write (its own transaction) goes through meanwhile
    net = client.post("/v1/networks", json={"name": "b", "cidr": "10.5.0.0/16"}, headers=other)
    assert net.status_code == 201, net.text
    assert client.patch(
        f"/v1/networks/{net.json()['id']}", json={"labels": {"k": "v"}}, headers=other
    ).is_success
    # the intent is committed: listed, `provisioning` with no endpoint yet, never `running` before its host
    seen = only_instance(client)
    assert (seen["status"], seen["ssh_host"]) == ("provisioning", None)
    assert create.response is None and hosts.up == set()
    hosts.gate.set()
    answer = create.result()
    assert answer.status_code == 202, answer.text
    doc = answer.json()
    assert doc["status"] == "provisioning" and doc["ssh_host"] == doc["private_ip"]
    assert doc["ssh_host_key_fingerprints"] == [f"SHA256:{doc['id']}"]
    got = client.get(f"/v1/instances/{doc['id']}").json()
    assert got["status"] == "running" and got["ssh_port"] == 22 and got["updated_at"] >= doc["created_at"]


def test_a_failed_boot_leaves_no_host_and_no_instance(hosted: Hosted) -> None:
    client, hosts = hosted()
    hosts.fail.add("create")
    key = {"Idempotency-Key": "boot-1"}
    r = client.post("/v1/instances", json=instance_body("doomed"), headers=key)
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal", r.text
    iid = hosts.calls[0][1]
    assert hosts.calls == [("create", iid), ("delete", iid)] and hosts.live == set()
    assert client.get("/v1/instances").json()["items"] == []
    assert client.get(f"/v1/instances/{iid}").status_code == 404
    store = client.app.state.store
    assert store.reader().execute("SELECT COUNT(*) FROM host_jobs").fetchone()[0] == 0
    # nothing was stored: the same key, name and address work again once the host can boot
    hosts.fail.clear()
    again = client.post("/v1/instances", json=instance_body("doomed"), headers=key)
    assert again.status_code == 202 and "Idempotent-Replayed" not in again.headers
    assert again.json()["private_ip"] == "10.0.0.2" and hosts.live == {again.json()["id"]}


def test_failed_start_and_reboot_end_stopped_with_the_host_down(hosted: Hosted) -> None:
    client, hosts = hosted()
    iid = client.post("/v1/instances", json=instance_body("flaky")).json()["id"]
    hosts.fail = {"reboot"}
    assert client.post(f"/v1/instances/{iid}/reboot").status_code == 500
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "stopped" and hosts.calls[-1] == (
        "stop",
        iid,
    )
    hosts.fail = {"start"}
    assert client.post(f"/v1/instances/{iid}/start").status_code == 500
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "stopped" and iid not in hosts.up
    hosts.fail = {"stop"}
    assert client.post(f"/v1/instances/{iid}/start").json()["status"] == "starting"
    assert client.post(f"/v1/instances/{iid}/stop").status_code == 500
    assert client.get(f"/v1/instances/{iid}").json()["status"] == "running"  # where it was


def test_a_failed_delete_keeps_the_instance_and_drops_the_retained_volume(hosted: Hosted) -> None:
    client, hosts = hosted()
    iid = client.post("/v1/instances", json=instance_body("sticky")).json()["id"]
    hosts.fail.add("delete")
    assert client.delete(f"/v1/instances/{iid}", params={"keep_storage": "true"}).status_code == 500
    got = client.get(f"/v1/instances/{iid}").json()
    assert got["status"] == "running" and got["retained_volume_id"] is None
    assert client.get("/v1/volumes").json()["items"] == []
    hosts.fail.clear()
    assert client.delete(f"/v1/instances/{iid}").json()["status"] == "deleting"
    assert client.get(f"/v1/instances/{iid}").status_code == 404 and hosts.live == set()


def test_a_delete_during_a_boot_waits_for_it(held: tuple[AsgiClient, FakeHosts]) -> None:
    client, hosts = held
    create = Background(lambda: client.post("/v1/instances", json=instance_body("brief")))
    assert hosts.entered.wait(10)
    doc = only_instance(client)
    backend, store = client.app.state.backend, client.app.state.store
    # as the DELETE route does it; the next write's commit shows that the delete's transaction is done
    delete = store.submit(
        lambda _c: backend.delete_instance(doc["project_id"], doc["id"], keep_storage=False)
    )
    store.transact(lambda _c: None)
    assert not delete.done() and hosts.calls == [("create", doc["id"])]
    assert only_instance(client)["status"] == "provisioning"  # it waits: no `deleting` over a booting host
    hosts.gate.set()
    assert create.result().status_code == 202
    outcome = delete.result(timeout=30)
    assert outcome.status == 202 and '"status": "deleting"' in outcome.body
    assert hosts.calls == [("create", doc["id"]), ("delete", doc["id"])] and hosts.live == set()
    assert client.get(f"/v1/instances/{doc['id']}").status_code == 404


def snapshot(client: AsgiClient, dest: Path) -> None:
    """Copy the state file as it is now: what a kill -9 at this moment leaves on disk."""
    with sqlite3.connect(dest) as target:
        client.app.state.store.reader().backup(target)


@pytest.mark.parametrize("boots_again", [True, False], ids=["boots", "fails"])
def test_a_restart_recovers_an_interrupted_boot(
    held: tuple[AsgiClient, FakeHosts],
    reopen: Callable[[Path, FakeHosts], AsgiClient],
    tmp_path: Path,
    boots_again: bool,
) -> None:
    client, hosts = held
    key = {"Idempotency-Key": "crash-1"}
    create = Background(lambda: client.post("/v1/instances", json=instance_body("phoenix"), headers=key))
    assert hosts.entered.wait(10)
    crashed = tmp_path / "crashed.db"
    snapshot(client, crashed)  # the intent is committed, the boot's result is not
    hosts.gate.set()
    iid = create.result().json()["id"]

    hosts2 = FakeHosts()
    if not boots_again:
        hosts2.fail.add("create")
    again = reopen(crashed, hosts2)  # recovery runs before the app serves
    assert again.app.state.store.reader().execute("SELECT COUNT(*) FROM host_jobs").fetchone()[0] == 0
    assert hosts2.calls[:2] == [("delete", iid), ("create", iid)]  # from a clean slate
    replay = again.post("/v1/instances", json=instance_body("phoenix"), headers=key)
    if boots_again:
        got = again.get(f"/v1/instances/{iid}").json()
        assert got["status"] == "running" and got["ssh_host_key_fingerprints"] == [f"SHA256:{iid}"]
        assert replay.headers["Idempotent-Replayed"] == "true" and replay.json()["id"] == iid
        assert replay.json()["ssh_host"] == got["ssh_host"]  # the stored answer has the endpoint too
    else:
        assert hosts2.live == set() and again.get(f"/v1/instances/{iid}").status_code == 404
        assert replay.status_code == 500  # no stored answer: the key creates again (and fails again)
