"""The task-service change matrix on the real Pulumi engine against machine hosts: every field of a task
service's declaration changed on a deployed service, one `pulumi up` each (rows from
`tests/support/taskservice_matrix.py`, in the declaration's order, each on the config the rows before it
left). Per row: `up` exits 0 and exactly the steps of the categories its plan names ran (the plan's
`planned_changes`, what a preview shows); the service is healthy after; its data survives (a row, or a
scraped series, written before the first row is read after each); the next preview is clean. A release the
host's package sources lack (`version` where the host has one line) must be refused by name, the service
left as it was. One stack per service, the services' rows run side by side; each test reads its row's
outcome. Test ids read `service-field`."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.pulumi_cli import PulumiError
from tests.support.taskservice_matrix import SERVICES, Row, all_rows, set_path

from .cloud_stacks import CloudStack, cloud_stack, inline_project, secret_from_stdin
from .taskservice_support import database_cloud

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(2400)]

PROJECT = """\
name: matrix-{service}
description: One task service on one server, its settings from config.
runtime: python
config:
  custom-cloud:region:
    value: us-west-1
"""

PROGRAM = '''\
"""One task service (`matrix:service`) on one server, configured with `matrix:settings` (JSON)."""

import json

import pulumi
from pulumi_command import remote

from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.ssh import connection_args
from provisioning.sdk.taskservice import Target

config = pulumi.Config("matrix")
service = config.require("service")
settings = json.loads(config.require("settings"))
private_key = config.require_secret("sshPrivateKey")
cidr = config.require("cidr")

# names are unique in a cloud: each service's stack names its own
prefix = service.replace("_", "-")
network = Network(f"{prefix}-net", cidr=cidr)
subnet = Subnet(f"{prefix}-subnet", network_id=network.id, cidr=cidr, zone="us-west-1a")
server = Server(f"{prefix}-host", machine_type="medium", zone="us-west-1a", vpc=network.id, subnet=subnet.id,
                ssh_public_key=config.require("sshPublicKey"), external_ip=False)
target = Target.server(server, private_key)
password = config.require_secret("password")
replication = settings.get("replication") or {}
# the standbys replication asks for: servers made and removed with it, as a user would
standbys = [
    Target.server(Server(f"{prefix}-standby-{n}", machine_type="medium", zone="us-west-1a", vpc=network.id,
                         subnet=subnet.id, ssh_public_key=config.require("sshPublicKey"), external_ip=False),
                  private_key)
    for n in range(replication.get("replicas", 1) if replication.get("enabled") else 0)
]
database = {"replicas": standbys, "passwords": {user["name"]: password for user in settings.get("users", [])},
            "replication_password": password if standbys else None}

TLS_PAIR = """set -eu
mkdir -p "$(dirname {cert})" "$(dirname {key})"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -subj /CN=matrix \\
    -keyout {key} -out {cert} 2>/dev/null
chmod 644 {cert} && chmod 600 {key}
if id postgres >/dev/null 2>&1; then chown postgres {key}; fi
"""

SERVE = """set -eu
mkdir -p /srv/matrix && printf 'ok\\n' > /srv/matrix/index.html
for path in health health2 health3; do printf 'ok\\n' > /srv/matrix/$path; done
unit='[Service]\\nExecStart=/usr/bin/python3 -m http.server 8080 --bind 127.0.0.1 --directory /srv/matrix\\n'
printf "$unit" > /etc/systemd/system/matrix-backend.service
systemctl daemon-reload && systemctl enable --now matrix-backend
"""

# certificate files the settings name must already be on the hosts the service runs on (the server and
# each standby): the user puts a pair there first
tls = settings.get("ssl") or {}
tls_files = [
    remote.Command(
        f"tls-files-{n}" if n else "tls-files", connection=host.connection,
        create=TLS_PAIR.format(cert=tls["cert_file"], key=tls["key_file"]),
    )
    for n, host in enumerate([target, *standbys])
] if tls.get("cert_file") else []

if service == "haproxy":
    from provisioning.components.taskservs.haproxy import HAProxy

    serve = remote.Command("backend", connection=connection_args(server, private_key), create=SERVE,
                           delete="systemctl disable --now matrix-backend || true")
    after = pulumi.ResourceOptions(depends_on=[serve, *tls_files])
    made = HAProxy("svc", settings, target=target, opts=after)
elif service == "prometheus":
    from provisioning.components.taskservs.prometheus import Prometheus

    made = Prometheus("svc", settings, target=target, node_exporter_targets=[target])
elif service == "postgresql":
    from provisioning.components.taskservs.postgresql import PostgreSQL

    made = PostgreSQL("svc", settings, target=target, **database)
elif service == "mariadb":
    from provisioning.components.taskservs.mariadb import MariaDB

    made = MariaDB("svc", settings, target=target, **database)
elif service == "webapp":
    from provisioning.components.taskservs.mariadb import MariaDB
    from provisioning.components.taskservs.postgresql import PostgreSQL
    from provisioning.components.taskservs.webapp import WebApp

    # its database on the same server, following what the app is told (kind, port, name and user)
    wanted = settings["database"]
    kind = wanted.get("kind", "postgresql")
    engine = PostgreSQL if kind == "postgresql" else MariaDB
    user = wanted.get("user", "app")
    db = engine(
        f"db-{kind}",
        {"name": f"db-{kind}", "port": wanted.get("port") or (5432 if kind == "postgresql" else 3306),
         "users": [{"name": user}], "databases": [{"name": wanted.get("name", "app"), "owner": user}]},
        target=target, passwords={user: password},
    )
    made = WebApp("svc", settings, target=target, database_password=password,
                  opts=pulumi.ResourceOptions(depends_on=[db]))
else:
    from provisioning.components.taskservs.custom_database import CustomDatabase

    made = CustomDatabase("svc", settings, target=target, admin_password=password, replicas=standbys,
                          opts=pulumi.ResourceOptions(depends_on=tls_files))

pulumi.export("server_id", server.id)
pulumi.export("healthy", made.healthy)
pulumi.export("checks", made.checks)
pulumi.export("endpoint", made.endpoint)
pulumi.export("planned_changes", made.planned_changes)
'''


class Keeper:
    """The data a service keeps: `write` it once before the rows, `read` it after each (the same answer)."""

    def write(self, stack: CloudStack, server: str, settings: dict[str, Any]) -> None:
        pass

    def read(self, stack: CloudStack, server: str, settings: dict[str, Any]) -> str:
        return "nothing kept"


@dataclass(frozen=True)
class SqlRow(Keeper):
    """A table with one row, written and read with a client on the server (`client(settings, sql)`: the
    command; `setup`: SQL run first)."""

    client: Callable[[dict[str, Any], str], str]
    table: str = "matrix"
    setup: str = ""

    def write(self, stack: CloudStack, server: str, settings: dict[str, Any]) -> None:
        create = f"CREATE TABLE {self.table} (id int PRIMARY KEY, item text)"
        insert = f"INSERT INTO {self.table} VALUES (1, 'kept')"
        stack.sh(server, self.client(settings, f"{self.setup}{create}; {insert}"))

    def read(self, stack: CloudStack, server: str, settings: dict[str, Any]) -> str:
        return stack.sh(server, self.client(settings, f"SELECT item FROM {self.table} WHERE id = 1")).strip()


def psql(socket_dir: str) -> Callable[[dict[str, Any], str], str]:
    """SQL as `postgres` over the local socket in `socket_dir`, to the port the settings give."""

    def command(settings: dict[str, Any], sql: str) -> str:
        port = settings.get("port", 5432)
        return f'runuser -u postgres -- psql -h {socket_dir} -p {port} -XAtq -d postgres -c "{sql}"'

    return command


def mariadb(_settings: dict[str, Any], sql: str) -> str:
    """SQL as root over the local socket."""
    return f'mariadb --protocol=socket -S /run/mariadb/mariadb.sock -u root -N -B -e "{sql}"'


class Scraped(Keeper):
    """The series Prometheus scraped before the rows (`count(up)` at that time)."""

    def write(self, stack: CloudStack, server: str, settings: dict[str, Any]) -> None:
        port = settings.get("port", 9090)
        stack.sh(
            server,
            f"for i in $(seq 60); do curl -fsS 'http://127.0.0.1:{port}/api/v1/query?query=up' "
            "| grep -q '\"value\"' && break; sleep 1; done; date +%s > /root/matrix-first-scrape",
        )

    def read(self, stack: CloudStack, server: str, settings: dict[str, Any]) -> str:
        port = settings.get("port", 9090)
        started = stack.sh(server, "cat /root/matrix-first-scrape").strip()
        query = f"curl -fsS 'http://127.0.0.1:{port}/api/v1/query?query=count(up)&time={started}'"
        return str(json.loads(stack.sh(server, query))["data"]["result"])


KEEPS: dict[str, Keeper] = {
    "prometheus": Scraped(),
    "custom_database": SqlRow(psql("/run/customdb")),
    "postgresql": SqlRow(psql("/var/run/postgresql")),
    "mariadb": SqlRow(mariadb, "kept.matrix", "CREATE DATABASE kept; "),
}
"""What each service keeps that its rows must not lose (a service not named keeps nothing)."""
ROWS = all_rows()


@dataclass
class Outcome:
    """What a row did: the failure (None: every assertion held) and what was measured."""

    failure: str | None = None
    refused: bool = False
    """The service refused the value by name and stayed as it was (a release its host lacks)."""
    output: str = field(default="", repr=False)
    """What a failed `up` printed."""
    planned: list[str] = field(default_factory=list)
    ran: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def _steps(preview: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in preview.get("steps") or [] if kind in s["urn"]]


def _plan(preview: dict[str, Any]) -> tuple[list[str], dict[str, list[str | None]]]:
    """The service's `planned_changes` and its steps' categories ([on create, on change]), as its plan's
    check found them (what a preview shows)."""
    for step in _steps(preview, "TaskServicePlan::svc-plan"):
        state = step.get("newState") or {}
        found = state.get("outputs") or state.get("inputs") or {}
        return list(found.get("planned_changes") or []), dict(found.get("categories") or {})
    return [], {}


def _commands(steps: dict[str, Any]) -> dict[str, str]:
    """The service's step commands that do something, by step name: their operation."""
    return {
        s["urn"].rsplit("::", 1)[-1].removeprefix("svc-"): s["op"]
        for s in _steps(steps, "command:remote:Command::svc-")
        if s["op"] not in ("same", "read")
    }


def _up_steps(stdout: str) -> dict[str, Any]:
    """The steps an `up --json` took (its engine events, one JSON object a line), as preview lists them."""
    steps = []
    for line in stdout.splitlines():
        event = json.loads(line) if line.startswith("{") else {}
        meta = (event.get("resourcePreEvent") or {}).get("metadata")
        if meta:  # the plan's new state: its checked inputs, `planned_changes` among them
            steps.append({"urn": meta["urn"], "op": meta["op"], "newState": meta.get("new") or {}})
    return {"steps": steps}


def _categories(ran: dict[str, str], categories: dict[str, list[str | None]]) -> set[str]:
    """The categories the steps that ran stand for: a created step its first, an updated one its second."""
    found = {(categories.get(step) or [None, None])[0 if op == "create" else 1] for step, op in ran.items()}
    return {category for category in found if category is not None}


def _converged(stack: CloudStack, keeper: Keeper, settings: dict[str, Any], before: str) -> list[str]:
    """What is wrong after an `up` of `settings`: unhealthy, its data lost, the next preview not clean."""
    out, problems = stack.outputs(), []
    if not out["healthy"]:
        problems.append(f"unhealthy after: {out['checks']}")
    after = keeper.read(stack, str(out["server_id"]), settings)
    if after != before:
        problems.append(f"data before {before!r}, after {after!r}")
    changed = {
        s["urn"]: s["op"] for s in stack.project.preview_json()["steps"] if s["op"] not in ("same", "read")
    }
    changed = {urn: op for urn, op in changed.items() if "pulumi:providers:" not in urn}
    if changed:
        problems.append(f"the next preview is not clean: {changed}")
    return problems


def _apply(stack: CloudStack, keeper: Keeper, settings: dict[str, Any], row: Row, before: str) -> Outcome:
    """One row: an up (the plan its check made, the steps that ran), then the service as it must be after."""
    outcome = Outcome()
    stack.project.config_set("matrix:settings", json.dumps(settings))
    started = time.monotonic()
    try:
        done = stack.project.up("--json")
    except PulumiError as exc:
        outcome.failure, outcome.output = f"up failed: {_reason(exc)}", str(exc)
        return outcome
    outcome.seconds = round(time.monotonic() - started, 1)
    steps = _up_steps(done.stdout)
    outcome.ran, (outcome.planned, categories) = _commands(steps), _plan(steps)
    problems = []
    if _categories(outcome.ran, categories) != set(outcome.planned):
        problems.append(f"the plan said {outcome.planned}, the steps that ran were {outcome.ran}")
    outcome.failure = "; ".join(problems + _converged(stack, keeper, settings, before)) or None
    return outcome


REFUSED = re.compile(r"version \S+ is not available on this host")
"""How a service refuses a release its host's package sources lack (the matrix's next release, where the
host has one line only): the row's up fails naming it, the service stays as it was."""


def _refused(
    stack: CloudStack, keeper: Keeper, good: dict[str, Any], row: Row, outcome: Outcome, before: str
) -> None:
    """After a failed row: back to the last good settings, converged. A `version` the host lacks, refused
    by name, is the row's expected outcome; any other failure stays the row's failure."""
    stack.project.config_set("matrix:settings", json.dumps(good))
    try:
        stack.project.up()
        problems = _converged(stack, keeper, good, before)
    except PulumiError as exc:
        problems = [f"the up back to the settings before failed: {_reason(exc)}"]
    if row.field == "version" and REFUSED.search(outcome.output) and not problems:
        outcome.failure, outcome.refused = None, True
    elif problems:
        outcome.failure = f"{outcome.failure}; then {'; '.join(problems)}"


def _deploy_and_run(service: str, stack: CloudStack, outcomes: dict[str, Outcome]) -> None:
    """Deploy the service, then its rows in order; a failure before the rows fails each of them."""
    try:
        stack.project.up()
        stack.trust(str(stack.outputs()["server_id"]))
        _run_service(service, stack, outcomes)
    except Exception as exc:  # noqa: BLE001 - recorded against every row that did not run
        for row in ROWS:
            if row.service == service and row.id not in outcomes:
                outcomes[row.id] = Outcome(f"the service's rows stopped before this one: {_reason(exc)}")


def _reason(exc: Exception) -> str:
    """The error lines of a failed command (the engine's errors, also from `--json` events), else its end."""
    errors = []
    for line in str(exc).splitlines():
        event = json.loads(line) if line.startswith('{"sequence"') else None
        if event is not None:
            diagnostic = event.get("diagnosticEvent") or {}
            if diagnostic.get("severity") == "error":
                errors.append(diagnostic["message"].strip())
        elif "error:" in line:
            errors.append(line.strip())
    found = [e for e in dict.fromkeys(errors) if e != "update failed"]
    return " | ".join(found[:6])[:3000] if found else str(exc)[-1500:]


def _run_service(service: str, stack: CloudStack, outcomes: dict[str, Outcome]) -> None:
    """The service's rows in order, each on the settings the rows before it left (a failed or refused
    row's change undone first)."""
    server = str(stack.outputs()["server_id"])
    keeper, settings = KEEPS.get(service, Keeper()), dict(SERVICES[service][1])
    keeper.write(stack, server, settings)
    before = keeper.read(stack, server, settings)
    for row in (r for r in ROWS if r.service == service):
        if row.problem:
            outcomes[row.id] = Outcome(row.problem)
            continue
        changed = set_path(settings, row.field, row.value)
        for partner, value in row.partners.items():
            changed = set_path(changed, partner, value)
        outcome = outcomes[row.id] = _apply(stack, keeper, changed, row, before)
        if outcome.failure is None:
            settings = changed
        else:
            _refused(stack, keeper, settings, row, outcome, before)


def _selected_services(session: pytest.Session) -> set[str]:
    """The services whose rows this session runs (`-k custom_database` deploys that service alone)."""
    params = (getattr(item, "callspec", None) for item in session.items)
    rows = (p.params.get("row") for p in params if p is not None)
    return {row.service for row in rows if isinstance(row, Row)}  # other modules name their rows `row` too


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[dict[str, Outcome]]:
    tmp = tmp_path_factory.mktemp("taskservice-matrix")
    found: dict[str, Outcome] = {}
    selected = _selected_services(request.session)
    with database_cloud(tmp) as cloud:
        stacks: list[tuple[str, CloudStack]] = []
        for index, service in enumerate(SERVICES):
            if service not in selected:
                continue
            folder = tmp / service
            folder.mkdir()
            # a project of its own: the cloud knows a resource by project, stack and name
            source = inline_project(folder, project=PROJECT.format(service=service), program=PROGRAM)
            made = cloud_stack(cloud, folder, source, namespace="matrix", stack_type=CloudStack)
            made.project.config_set("matrix:service", service)
            made.project.config_set("matrix:cidr", f"10.86.{index}.0/24")
            made.project.config_set("matrix:settings", json.dumps(SERVICES[service][1]))
            secret_from_stdin(made.project, "matrix:password", "matrix-" + "x" * 12)
            stacks.append((service, made))
        try:
            with ThreadPoolExecutor(len(stacks)) as pool:
                for done in [pool.submit(_deploy_and_run, service, made, found) for service, made in stacks]:
                    done.result()
            yield found
        finally:
            for _service, made in stacks:
                made.project.destroy()
                made.api.close()
            print("\ntask-service matrix (row, up seconds, planned, ran):")
            for name, outcome in found.items():
                result = outcome.failure or ("refused, as expected" if outcome.refused else "ok")
                print(f"  {name:<44} {outcome.seconds:6.1f} {outcome.planned} {outcome.ran} {result[:300]}")


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_a_changed_field_applies_on_the_deployed_service(row: Row, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes.get(row.id)
    assert outcome is not None, f"{row.id}: the row never ran"
    assert outcome.failure is None, f"{row.id} -> {row.value!r}: {outcome.failure}"
