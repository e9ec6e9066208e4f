"""Engine side of the change matrix: a stack of the program `change_matrix/` on its own project of a running
local Custom Cloud, taken from one declared stack to the next, each `up`'s plan, the cloud and the next
preview checked against what the declarations say (`tests/support/change_matrix.py`)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from provisioning.sdk.fields import FILLED_BY_SERVICE, has_role
from provisioning.sdk.ownership import OWNER_LABEL
from tests.support.change_matrix import (
    PROVIDER_FILLED,
    REGION,
    Matrix,
    Row,
    Stack,
    expected_ops,
    matrix,
    target_of,
)
from tests.support.cloud import CloudHandle
from tests.support.pulumi_cli import REPO_ROOT, PulumiError, PulumiProject

__all__ = [
    "BASE",
    "MATRIX",
    "REPLACING",
    "Deployed",
    "UpFailed",
    "collections",
    "deploy",
    "new_project",
    "row_stack",
    "set_faults",
]

PROGRAM = REPO_ROOT / "tests" / "integration" / "custom_cloud" / "change_matrix"
"""The program: builds the stack it is handed in `t:stack`."""
MATRIX: Matrix = matrix()
"""Every registered Custom Cloud declaration's rows."""
BASE: Stack = MATRIX.base
"""The stack every row starts from."""
REPLACING: list[Row] = [
    r
    for r in MATRIX.rows
    if r.stack is not None and "replace" in expected_ops(MATRIX, BASE, r.stack).values()
]
"""The rows whose change replaces something."""
GONE = {"deleting", "deleted"}
REPLACE_OPS = {"replace", "create-replacement", "delete-replaced", "discard-replaced"}


# -- the resource classes and their API collections ----------------------------------------------------------


def collections() -> dict[str, Any]:
    """The API collection of every declared type that has one (an attachment has none), by type token."""
    from provisioning.providers.custom_cloud import resources  # noqa: F401 (defines the classes)
    from provisioning.sdk.dynamic import DynamicResource

    found: dict[str, Any] = {}
    pending = list(DynamicResource.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        collection = getattr(getattr(cls, "provider_type", None), "collection", None)
        if "declaration" in vars(cls) and collection is not None:
            found[cls.declaration.type_token] = collection
    return found


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    if target_of(value) is not None:
        return ids[str(target_of(value))]
    if isinstance(value, list):
        return [_resolve(v, ids) for v in value]
    return value


def _ops(stdout: str) -> dict[str, str]:
    """What `up --json` did to each resource (replace / create / delete / update / same), by name."""
    seen: dict[str, set[str]] = {}
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line).get("resourcePreEvent")
        if event is None or event["metadata"]["type"].startswith("pulumi:"):
            continue
        meta = event["metadata"]
        seen.setdefault(meta["urn"].rpartition("::")[2], set()).add(meta["op"])
    ops = {}
    for name, found in seen.items():
        if found & REPLACE_OPS:
            ops[name] = "replace"
        else:
            ops[name] = next((op for op in ("create", "delete", "update") if op in found), "same")
    return ops


def _errors(stdout: str) -> str:
    """The error diagnostics of `up --json` (what the engine and the providers said went wrong)."""
    said = []
    for line in stdout.splitlines():
        event = json.loads(line).get("diagnosticEvent") if line.startswith("{") else None
        if event is not None and event.get("severity") == "error":
            urn = event.get("urn", "").rpartition("::")[2]
            said.append(f"{urn}: {event['message'].strip()}" if urn else event["message"].strip())
    return "\n".join(dict.fromkeys(said)) or stdout[-3000:]


class UpFailed(AssertionError):
    """An `up` exited non-zero; says what its error diagnostics said."""


def _changes(ops: dict[str, str]) -> dict[str, str]:
    return {name: op for name, op in sorted(ops.items()) if op != "same"}


# -- a deployed stack ----------------------------------------------------------------------------------------


@dataclass
class Deployed:
    """A Pulumi stack of the matrix's program on its own project of a running cloud."""

    cloud: CloudHandle
    api_key: str
    project_id: str
    project: PulumiProject
    current: Stack | None = None
    """What the stack holds, when the last `up` succeeded (None: unknown)."""
    timings: list[tuple[str, float]] = field(default_factory=list)
    """(what ran, seconds) of every `up` and preview."""

    def summary(self) -> str:
        """Where the time went: how many `up`s and previews, and their seconds."""
        previews = [t for label, t in self.timings if label.startswith("preview after ")]
        ups = [t for label, t in self.timings if not label.startswith("preview after ")]
        return f"{len(ups)} ups in {sum(ups):.0f} s, {len(previews)} previews in {sum(previews):.0f} s"

    def up(self, target: Stack, label: str) -> dict[str, str]:
        """`up` to `target`; what it did to each resource (`UpFailed` when it fails)."""
        self.current, started = None, time.monotonic()
        stack = json.dumps([planned.to_json() for planned in target.values()])
        args = ("up", "--yes", "--skip-preview", "--json", "--stack", self.project.stack)
        try:
            result = self.project.run(*args, "-c", f"t:stack={stack}", check=False)
        finally:
            self.timings.append((label, time.monotonic() - started))
        if result.returncode != 0:
            raise UpFailed(f"{label}: `pulumi up` exited {result.returncode}:\n{_errors(result.stdout)}")
        self.current = target
        return _ops(result.stdout)

    def step(self, target: Stack, label: str, *, preview: bool = True) -> None:
        """`up` from the current stack to `target`: the plan the declarations give, the cloud as declared,
        and (with `preview`) a clean next preview."""
        if self.current is None:
            self.recover(label)
        before = self.current
        assert before is not None
        try:
            ops = self.up(target, label)
            assert _changes(ops) == _changes(expected_ops(MATRIX, before, target)), (
                f"{label}: the up's plan (left) differs from what the declarations say (right)"
            )
            self.check_cloud(target)
            if preview:
                self.preview_clean(label)
        except BaseException:
            self.current = None  # the next step starts by bringing the stack back to its base
            raise

    def recover(self, label: str) -> None:
        """After a failed step: bring the stack back to its base (any plan); if that fails too, destroy it,
        and if even that fails (a state the engine refuses), empty the cloud project and start a new stack;
        then deploy the base anew. Fails saying so when none of that works."""
        try:
            self.up(BASE, f"recover before {label}")
            return
        except UpFailed:
            pass
        try:
            try:
                self.project.destroy()
            except PulumiError:
                self.restart()
            self.current = {}
            self.up(BASE, f"redeploy before {label}")
        except (UpFailed, PulumiError) as exc:
            raise AssertionError(f"{label}: the stack could not be brought back to its base: {exc}") from exc

    def restart(self) -> None:
        """Remove every resource of the cloud project and begin a new stack (the old state is dropped)."""
        _admin(self.cloud, "POST", f"/admin/projects/{self.project_id}/reset")
        self.project.run("stack", "rm", "--force", "--yes", self.project.stack)
        self.project.run("stack", "init", self.project.stack)
        _configure(self.project, self.cloud, self.api_key)

    def preview_clean(self, label: str) -> None:
        started = time.monotonic()
        try:
            self.project.preview("--expect-no-changes")
        finally:
            self.timings.append((f"preview after {label}", time.monotonic() - started))

    # -- the cloud -------------------------------------------------------------------------------------------

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.cloud.url, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=10
        )

    def items(self, path: str) -> list[dict[str, Any]]:
        """Every live item of a collection (every page; injected faults retried)."""
        found: list[dict[str, Any]] = []
        token: str | None = None
        with self.api() as client:
            while True:
                params = {"page_token": token} if token else {}
                for _ in range(40):
                    response = client.get(path, params=params)
                    if response.status_code == 200:
                        break
                    time.sleep(0.05)
                response.raise_for_status()
                page = response.json()
                found += [i for i in page["items"] if i.get("status") not in GONE]
                token = page.get("next_page_token")
                if not token:
                    return found

    def ids(self) -> dict[str, str]:
        """Resource name → id, from the stack's state."""
        resources = self.project.state()["checkpoint"]["latest"].get("resources") or []
        return {r["urn"].rpartition("::")[2]: r["id"] for r in resources if r.get("custom") and r.get("id")}

    def check_cloud(self, target: Stack) -> None:
        """The cloud holds exactly `target`: per collection the declared names once each and nothing else,
        every declared field as declared (references as the new ids), references the service fills in
        pointing at a declared resource, and every link a collection-less resource makes (a volume attached
        to its server) recorded on the resource it links."""
        ids = self.ids()
        by_type = collections()
        live: dict[str, dict[str, dict[str, Any]]] = {}
        for token, collection in by_type.items():
            items = self.items(collection.path)
            live[token] = {i["id"]: i for i in items}
            declared = [p for p in target.values() if p.token == token]
            names = sorted(str(p.args.get("name", p.name)) for p in declared)
            assert sorted(i["name"] for i in items) == names, (
                f"{collection.path} holds {sorted(i['name'] for i in items)}, the stack declares {names}"
            )
            model = MATRIX.model(token)
            for planned in declared:
                item = live[token].get(ids[planned.name])
                assert item is not None, f"{planned.name}: its id {ids[planned.name]} is not live"
                body = {"name": planned.name, **{k: _resolve(v, ids) for k, v in planned.args.items()}}
                fields = collection.create.model_fields
                filled = {
                    k: item[k]
                    for k in PROVIDER_FILLED
                    if k in fields and fields[k].is_required() and k not in body
                }
                for (
                    name,
                    value,
                ) in filled.items():  # required, left out: the provider's configuration fills it
                    assert value == REGION, (
                        f"{planned.name}.{name} is {value!r}, the provider's is {REGION!r}"
                    )
                given = {k: v for k, v in body.items() if k in fields}
                wanted = collection.create.model_validate({**filled, **given}).model_dump(mode="json")
                for name in (k for k in body if k in wanted):
                    got = item[name]
                    if name == "labels":
                        got = {k: v for k, v in got.items() if k != OWNER_LABEL}
                    assert got == wanted[name], f"{planned.name}.{name} is {got!r}, declared {wanted[name]!r}"
                for name, info in model.model_fields.items():
                    reference = MATRIX.reference(token, name)
                    if reference and has_role(info, FILLED_BY_SERVICE) and name not in planned.args:
                        mine = {ids[p.name] for p in target.values() if p.token == reference.target}
                        assert item[name] in mine, (
                            f"{planned.name}.{name} {item[name]!r} names no declared one"
                        )
        self._check_links(target, ids, live, by_type)

    def _check_links(
        self,
        target: Stack,
        ids: dict[str, str],
        live: dict[str, dict[str, dict[str, Any]]],
        collections: dict[str, Any],
    ) -> None:
        """A resource without a collection of its own (an attachment) links the resources it points at: one
        of each pair records the other's id (a volume's `attached_to`), and no other item holds such a
        link."""
        linked: dict[tuple[str, str], set[str]] = {}
        for planned in (p for p in target.values() if p.token not in collections):
            refs = [r for r in MATRIX.refs if r.source == planned.token and r.target in collections]
            for a, b in ((a, b) for i, a in enumerate(refs) for b in refs[i + 1 :]):
                ends = [(a, ids[str(target_of(planned.args[a.field]))]) for a in (a, b)]
                found = [
                    (ref.target, key, item_id)
                    for (ref, item_id), (_other, other_id) in (ends, ends[::-1])
                    for key, value in live[ref.target][item_id].items()
                    if value == other_id
                ]
                assert found, f"{planned.name}: neither {ends[0][1]} nor {ends[1][1]} records the other"
                token, key, item_id = found[0]
                linked.setdefault((token, key), set()).add(item_id)
        for (token, key), holders in linked.items():
            stale = sorted(i for i, item in live[token].items() if item.get(key) and i not in holders)
            assert not stale, f"{stale} still hold a {key} that no declared resource makes"


def _admin(cloud: CloudHandle, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(
        method,
        f"{cloud.root}{path}",
        json=body,
        headers={"Authorization": f"Bearer {cloud.admin_token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def _configure(pulumi: PulumiProject, cloud: CloudHandle, api_key: str) -> None:
    pulumi.config_set("custom-cloud:apiUrl", cloud.url)
    pulumi.config_set("custom-cloud:apiKey", api_key, secret=True)
    pulumi.config_set("custom-cloud:region", REGION)


def new_project(cloud: CloudHandle, workdir: Path, *, project: str, **env: str) -> Deployed:
    """A copy of the program, with an empty stack, on a new cloud project (its own resources and key)."""
    created = _admin(cloud, "POST", "/admin/projects", {"name": project})
    pulumi = PulumiProject.copy_of(PROGRAM, workdir, PROVISIONING_LOG_DIR=str(workdir / "logs"), **env)
    _configure(pulumi, cloud, created["api_key"])
    return Deployed(cloud, created["api_key"], created["project_id"], pulumi, current={})


def deploy(cloud: CloudHandle, workdir: Path, *, project: str, **env: str) -> Deployed:
    """A new project deployed with the base stack (its plan, its cloud and a clean preview checked)."""
    deployed = new_project(cloud, workdir, project=project, **env)
    deployed.step(BASE, "base", preview=True)
    return deployed


def set_faults(cloud: CloudHandle, **config: Any) -> None:
    """Replace the cloud's fault injection (`emulator/faults.py`: no argument turns it off)."""
    _admin(cloud, "PUT", "/admin/faults", config)


def row_stack(row: Row) -> Stack:
    """The row's stack, or a failure naming the field that needs a decision."""
    if row.stack is None:
        pytest.fail(f"{row.id}: {row.problem}")
    return row.stack
