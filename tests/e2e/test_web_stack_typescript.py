"""WebStack from a TypeScript program (examples/web-stack-ts) on machine hosts: the program adds the component
package from a wheel installed in its own venv, deploys a small stack (web 2, app 2, PostgreSQL, no
monitoring) that serves the app's page through its load balancer, with the secrets it passed never in
plaintext in the state; a new `app_version` rolls through the app tier without a failed request and the next
preview is clean; a second `up` and a `refresh` change nothing; a CustomDatabase from the same program on a
machine made elsewhere (an instance made through the API) goes up healthy and away again; `destroy` leaves
nothing on the cloud."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests.support.pulumi_cli import REPO_ROOT
from tests.support.typescript import add_package, package_venv

from .cloud_stacks import cloud_stack
from .taskservice_support import e2e_cloud, pools_from
from .test_web_stack import Probe, WebStackRun, ops, page, reached, small_cluster, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(1800)]

EXAMPLE = REPO_ROOT / "examples" / "web-stack-ts"
TIMINGS: dict[str, float] = {}
CLUSTER = small_cluster("shop", "10.89")
PASSWORD = "ts-" + "pw'q:1-" + str(time.time_ns())
"""The database password (a quote and a colon: quoting on the way to the host)."""


def camel(value: Any) -> Any:
    """`value` with every mapping key in camelCase (`web_tier` → `webTier`), as the TypeScript SDK names
    the inputs."""
    if isinstance(value, dict):
        return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), k): camel(v) for k, v in value.items()}
    return value


class TypeScriptRun(WebStackRun):
    """A stack of examples/web-stack-ts: its `cluster` config object is WebStack's inputs in camelCase."""

    def configure(self, cluster: dict[str, Any]) -> None:
        self.cluster = cluster
        path = self.project.workdir / f"Pulumi.{self.project.stack}.yaml"
        settings = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
        settings.setdefault("config", {})["web-stack-ts:cluster"] = camel(cluster)
        path.write_text(yaml.safe_dump(settings, sort_keys=True))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TypeScriptRun]:
    tmp = tmp_path_factory.mktemp("web-stack-ts")
    venv = package_venv(tmp)
    TIMINGS["wheel and venv"] = round(venv.seconds, 1)
    with e2e_cloud(tmp / "cloud", public_pools=pools_from("100.86.0.0/24")) as cloud:
        run = cloud_stack(
            cloud, tmp, EXAMPLE, namespace="web-stack-ts", stack_type=TypeScriptRun,
            secrets={"web-stack-ts:databasePassword": PASSWORD}, cluster={}, password=PASSWORD,
        )  # fmt: skip
        run.configure(CLUSTER)
        TIMINGS.update(add_package(run.project.workdir, venv, run.project.env))
        try:
            started = time.monotonic()
            done = run.project.up()
            run.printed = done.stdout + done.stderr
            TIMINGS["first up"] = round(time.monotonic() - started, 1)
            yield run
        finally:
            try:
                if run.project.resources():
                    run.project.destroy()
            finally:
                run.api.close()
                print(f"\nTypeScript web stack e2e timings (s): {json.dumps(TIMINGS)}")


def test_the_page_comes_through_the_load_balancer(stack: TypeScriptRun) -> None:
    out = stack.outputs()
    assert out["healthy"] is True
    assert [m["server"] for m in out["components"]["app"]] == ["shop-app-0", "shop-app-1"]
    url = stack.web()
    first = wait_for("the app's page through the load balancer", lambda: page(url))
    assert first["app"] == "shop" and first["version"] == "1.0"
    assert page(url)["visits"] > first["visits"]  # the app wrote to the database and read it back
    reached(url, {"shop-app-0", "shop-app-1"})


def test_secrets_from_typescript_are_never_plaintext_in_the_state(stack: TypeScriptRun) -> None:
    state = stack.project.state_file().read_text()
    key = "".join(stack.private_key.splitlines()[1:-1])
    logs = [f.read_text(errors="replace") for f in (stack.tmp / "logs").rglob("*") if f.is_file()]
    for text in (state, stack.printed, *logs):
        assert stack.password not in text and key[100:160] not in text
    # the SSH key the task services use is a secret in every step command that holds it
    commands = [r for r in json.loads(state)["checkpoint"]["latest"]["resources"]
                if r["type"] == "command:remote:Command"]  # fmt: skip
    assert commands and all(_secret(r["inputs"]["connection"]) or _secret(r["inputs"]["connection"]
                            .get("privateKey")) for r in commands)  # fmt: skip


def _secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_VALUE


SECRET_SIG, SECRET_VALUE = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
"""How the state marks a secret value (Pulumi's signature key and its value)."""


def test_a_second_up_and_a_refresh_change_nothing(stack: TypeScriptRun) -> None:
    started = time.monotonic()
    done = stack.project.up()
    TIMINGS["no-op up"] = round(time.monotonic() - started, 1)
    assert re.search(r"\b\d+ unchanged\b", done.stdout) and " to " not in done.stdout.split("Resources:")[-1]
    stack.project.refresh()
    stack.project.preview("--expect-no-changes")


def test_a_new_app_version_rolls_and_previews_clean(stack: TypeScriptRun) -> None:
    url = stack.web()
    wait_for("the app answering", lambda: page(url))
    stack.configure({**stack.cluster, "app_version": "2.0"})
    preview = stack.project.preview_json()
    assert ops(preview, "custom-cloud:Server") == {}  # the app servers stay; their release rolls
    assert any(name.endswith("-webapp-release") for name in ops(preview)), ops(preview)
    with Probe(url) as probe:
        started = time.monotonic()
        stack.project.up()
        TIMINGS["app_version up"] = round(time.monotonic() - started, 1)
        time.sleep(2)
    tried = probe.ok + len(probe.failed)
    assert probe.failed == [] and probe.ok > 20, f"{len(probe.failed)} failed of {tried}"
    assert probe.versions >= {"2.0"}
    assert wait_for("every app server on 2.0", lambda: {page(url)["version"] for _ in range(6)} == {"2.0"})
    stack.project.preview("--expect-no-changes")


def set_database(stack: TypeScriptRun, database: dict[str, Any] | None) -> None:
    """The stack config object `web-stack-ts:database` (None: no CustomDatabase)."""
    path = stack.project.workdir / f"Pulumi.{stack.project.stack}.yaml"
    settings = yaml.safe_load(path.read_text()) or {}
    settings["config"].pop("web-stack-ts:database", None)
    if database is not None:
        settings["config"]["web-stack-ts:database"] = database
    path.write_text(yaml.safe_dump(settings, sort_keys=True))


def test_a_custom_database_on_a_machine_made_elsewhere(stack: TypeScriptRun) -> None:
    public = stack.project.run("config", "get", "sshPublicKey", "--stack", stack.project.stack).stdout.strip()
    body = {"name": "orders-db", "machine_type": "small", "zone": "us-west-1a", "ssh_public_key": public,
            "external_ip": False}  # fmt: skip
    made = stack.api.post("/instances", json=body).raise_for_status().json()
    try:
        machine = wait_for("the database machine running", lambda: _running(stack, made["id"]), 120)
        set_database(stack, {
            "host": machine["ssh_host"], "sshPort": machine["ssh_port"],
            "hostKeyFingerprints": machine["ssh_host_key_fingerprints"], "address": machine["private_ip"],
            "maxConnections": 50, "backup": {"enabled": False},
        })  # fmt: skip
        started = time.monotonic()
        stack.project.up()
        TIMINGS["CustomDatabase up"] = round(time.monotonic() - started, 1)
        out = stack.outputs()
        assert out["databaseHealthy"] is True and out["databaseEndpoint"] == f"{machine['private_ip']}:5432"
        assert stack.sh(made["id"], "systemctl is-active customdb").strip() == "active"
        assert stack.password not in stack.project.state_file().read_text()
        stack.project.preview("--expect-no-changes")
        set_database(stack, None)
        stack.project.up()
        assert stack.sh_rc(made["id"], "systemctl is-active customdb") != 0  # removed from the machine
    finally:
        set_database(stack, None)
        stack.api.delete(f"/instances/{made['id']}")
        gone = f"/instances/{made['id']}"
        wait_for("the database machine gone", lambda: stack.api.get(gone).status_code == 404)


def _running(stack: TypeScriptRun, iid: str) -> dict[str, Any] | None:
    found = stack.instance(iid)
    return found if found["status"] == "running" else None


def test_destroy_leaves_nothing(stack: TypeScriptRun) -> None:
    started = time.monotonic()
    stack.project.destroy()
    TIMINGS["destroy"] = round(time.monotonic() - started, 1)
    assert stack.project.resources() == []
    assert stack.left_on_cloud() == {c: [] for c in ("instances", "networks", "subnets", "load-balancers",
                                                     "volumes")}  # fmt: skip
