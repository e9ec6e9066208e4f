"""HAProxy and Prometheus on the real Pulumi engine against machine hosts: two tiny HTTP backends (each
answering with its own name, started on two servers by a remote command of the program, as systemd units)
behind HAProxy on a third server; requests through HAProxy reach both; a stopped backend is taken out
(requests keep succeeding, the stats page shows it DOWN); Prometheus on the third server reports the node
exporter it installed on a backend server up (`/api/v1/targets`); HTTPS through HAProxy with the certificate
it made on its server (curl --cacert, verifying the server's address), its Prometheus exporter at /metrics on
the stats port; a check_interval change plans and reruns only HAProxy's configure (and its health); removing
Prometheus from the program runs its remove steps: the services stop and their files leave both servers while
HAProxy keeps serving."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.tools import require_tool

from . import host_services
from .cloud_stacks import (
    CloudStack,
    command_ops,
    planned_changes,
    wait_for,
)
from .program_parts import servers_on_one_subnet
from .taskservice_support import deployed_program

pytestmark = [pytest.mark.e2e, pytest.mark.engine, pytest.mark.timeout(900)]

TIMINGS: dict[str, float] = {}

PROJECT = """\
name: lbmon
description: Two web backends behind HAProxy, watched by Prometheus with a node exporter.
runtime: python
config:
  custom-cloud:region:
    value: us-west-1
"""

PROGRAM = (
    '''\
"""Two backends (python3 -m http.server answering with the server's name) behind HAProxy on a third server,
and Prometheus there scraping the node exporter installed on web-1."""

import pulumi
from pulumi_command import remote

from provisioning.components.taskservs.haproxy import HAProxy
from provisioning.components.taskservs.prometheus import Prometheus
from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.sdk.ssh import connection_args
from provisioning.sdk.taskservice import Target

'''
    + servers_on_one_subnet("lbmon", "10.46")
    + '''

SERVE = """set -eu
mkdir -p /srv/web
printf '%s\\\\n' "$(hostname)" > /srv/web/index.html
printf 'ok\\\\n' > /srv/web/health
serve='/usr/bin/python3 -m http.server 8080 --bind 0.0.0.0 --directory /srv/web'
printf '[Service]\\\\nExecStart=%s\\\\n[Install]\\\\nWantedBy=multi-user.target\\\\n' "$serve" \\\\
    > /etc/systemd/system/web.service
systemctl daemon-reload
systemctl enable --now web
"""
STOP = "systemctl disable --now web || true"

webs = [server(f"web-{i}") for i in (1, 2)]
serving = [
    remote.Command(f"serve-{i}", connection=connection_args(web, private_key), create=SERVE,
                   delete=STOP)
    for i, web in zip((1, 2), webs)
]
lb = server("lb")
# backends by name: their addresses are outputs, the HAProxy config takes plain values
hosts = remote.Command(
    "hosts", connection=connection_args(lb, private_key),
    create=pulumi.Output.all(webs[0].private_ip, webs[1].private_ip).apply(
        lambda ips: "sed -i '/ web-[12]$/d' /etc/hosts && "
        + " && ".join(f"echo '{ip} web-{i}' >> /etc/hosts" for i, ip in zip((1, 2), ips))
    ),
)
balancer = HAProxy(
    "lb",
    {"port": 80, "check_interval": config.get("checkInterval") or "1s", "ssl": {"enabled": True},
     "backends": [{"name": f"web-{i}", "address": f"web-{i}", "port": 8080} for i in (1, 2)]},
    target=Target.server(lb, private_key),
    opts=pulumi.ResourceOptions(depends_on=[hosts, *serving]),
)
if config.get_bool("monitor") is not False:
    monitor = Prometheus(
        "mon", {"scrape_interval": "2s", "retention": "1d"},
        target=Target.server(lb, private_key),
        node_exporter_targets=[Target.server(webs[0], private_key)],
        opts=pulumi.ResourceOptions(depends_on=[balancer]),
    )
    pulumi.export("mon_endpoint", monitor.endpoint)
    pulumi.export("mon_healthy", monitor.healthy)
    pulumi.export("mon_checks", monitor.checks)
    pulumi.export("mon_version", monitor.version)
    pulumi.export("planned_changes", [balancer.planned_changes, monitor.planned_changes])

pulumi.export("lb_ip", lb.private_ip)
pulumi.export("lb_id", lb.id)
pulumi.export("web_ids", [web.id for web in webs])
pulumi.export("web_ips", [web.private_ip for web in webs])
pulumi.export("lb_endpoint", balancer.endpoint)
pulumi.export("lb_healthy", balancer.healthy)
pulumi.export("lb_checks", balancer.checks)
pulumi.export("lb_metadata", balancer.service_metadata)
'''
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudStack]:
    tmp = tmp_path_factory.mktemp("haproxy-prometheus")
    with deployed_program(
        tmp, project=PROJECT, program=PROGRAM, namespace="lbmon", stack_type=CloudStack,
        trust=lambda out: [out["lb_id"], *out["web_ids"]], timings=TIMINGS, label="haproxy/prometheus",
        up="first up",
    ) as ready:  # fmt: skip
        yield ready


def _stats(address: str) -> dict[str, str]:
    """Each backend server's status on HAProxy's stats page (CSV)."""
    text = httpx.get(f"http://{address}:8404/stats;csv", timeout=5).text
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    return {
        row[1]: row[17] for row in rows if row[0] == "lb-servers" and row[1] not in ("BACKEND", "FRONTEND")
    }


def test_both_services_are_healthy(stack: CloudStack) -> None:
    out = stack.project.outputs()
    assert out["lb_healthy"] is True and out["lb_endpoint"] == f"{out['lb_ip']}:80"
    assert [c["name"] for c in out["lb_checks"]] == ["service", "stats", "metrics", "tls"]
    assert out["lb_metadata"]["category"] == "load-balancer" and out["lb_metadata"]["ports"] == [
        80,
        443,
        8404,
    ]
    assert out["mon_healthy"] is True and out["mon_endpoint"] == f"{out['lb_ip']}:9090"
    assert [c["name"] for c in out["mon_checks"]] == ["service", "ready", "node-exporter-0"]
    assert out["mon_version"].startswith("2.")
    assert out["planned_changes"] == [[], []]
    # the rendered configs on the host are what the checks accepted
    assert (
        stack.sh(out["lb_id"], "haproxy -c -q -f /etc/haproxy/haproxy.cfg && echo valid").strip() == "valid"
    )
    assert "SUCCESS" in stack.sh(out["lb_id"], "promtool check config /etc/prometheus/prometheus.yml 2>&1")


def test_requests_through_haproxy_reach_both_backends(stack: CloudStack) -> None:
    address = stack.project.outputs()["lb_ip"]
    wait_for("both backends UP", lambda: set(_stats(address).values()) == {"UP"})
    answers = [httpx.get(f"http://{address}/", timeout=5) for _ in range(10)]
    assert all(a.status_code == 200 for a in answers)
    assert {a.text.strip() for a in answers} == {"web-1", "web-2"}


def test_https_through_haproxy_with_its_generated_certificate(stack: CloudStack, tmp_path: Path) -> None:
    out = stack.project.outputs()
    address = out["lb_ip"]
    cert = tmp_path / "lb.crt"
    cert.write_text(stack.sh(out["lb_id"], "cat /etc/haproxy/ssl/server.crt"))
    wait_for("both backends UP", lambda: set(_stats(address).values()) == {"UP"})
    curl = require_tool("curl", "curl")
    answers = set()
    for _ in range(6):
        done = subprocess.run(
            [curl, "-fsS", "--max-time", "5", "--cacert", str(cert), f"https://{address}/"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        answers.add(done.stdout.strip())
    assert answers == {"web-1", "web-2"}
    # the plain HTTP port stays
    assert httpx.get(f"http://{address}/", timeout=5).status_code == 200


def test_the_prometheus_exporter_answers_on_the_stats_port(stack: CloudStack) -> None:
    address = stack.project.outputs()["lb_ip"]
    metrics = httpx.get(f"http://{address}:8404/metrics", timeout=5)
    assert metrics.status_code == 200
    lines = metrics.text.splitlines()
    assert any(line.startswith('haproxy_backend_status{proxy="lb-servers",state="UP"} 1') for line in lines)
    assert any(line.startswith("haproxy_process_uptime_seconds ") for line in lines)


def test_a_stopped_backend_is_taken_out(stack: CloudStack) -> None:
    out = stack.project.outputs()
    address = out["lb_ip"]
    started = time.monotonic()
    stack.sh(out["web_ids"][1], host_services.stop("web"))
    wait_for("web-2 DOWN on the stats page", lambda: _stats(address).get("web-2", "").startswith("DOWN"))
    TIMINGS["backend marked DOWN"] = round(time.monotonic() - started, 1)
    assert _stats(address)["web-1"] == "UP"
    answers = [httpx.get(f"http://{address}/", timeout=5) for _ in range(10)]
    assert [a.status_code for a in answers] == [200] * 10
    assert {a.text.strip() for a in answers} == {"web-1"}
    stack.sh(out["web_ids"][1], host_services.start("web"))
    wait_for("web-2 UP again", lambda: _stats(address).get("web-2") == "UP")


def test_prometheus_reports_the_node_exporter_up(stack: CloudStack) -> None:
    out = stack.project.outputs()
    address, web_1 = out["lb_ip"], out["web_ips"][0]

    def node_targets() -> list[dict[str, Any]]:
        data = httpx.get(f"http://{address}:9090/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        return [t for t in data if t["labels"]["job"] == "node" and t["health"] == "up"]

    started = time.monotonic()
    [found] = wait_for("the node exporter target up", node_targets)
    TIMINGS["node target up"] = round(time.monotonic() - started, 1)
    assert found["labels"]["instance"] == f"{web_1}:9100"
    assert httpx.get(f"http://{address}:9090/-/ready", timeout=5).status_code == 200
    query = httpx.get(f"http://{address}:9090/api/v1/query", params={"query": 'up{job="node"}'}, timeout=5)
    assert query.json()["data"]["result"][0]["value"][1] == "1"


def test_a_check_interval_change_reruns_only_configure(stack: CloudStack) -> None:
    project = stack.project
    project.config_set("lbmon:checkInterval", "500ms")
    preview = project.preview_json()
    ops = command_ops(preview, changed=True)
    assert ops == {"lb-configure": "update", "lb-health": "update"}
    assert planned_changes(preview, "lb-plan") == ["configure"]
    started = time.monotonic()
    project.up()
    TIMINGS["configure-only up"] = round(time.monotonic() - started, 1)
    out = project.outputs()
    assert out["lb_healthy"] is True and out["planned_changes"] == [[], []]
    cfg = stack.sh(out["lb_id"], "cat /etc/haproxy/haproxy.cfg")
    assert "default-server inter 500ms fall 2 rise 2" in cfg
    address = out["lb_ip"]
    wait_for("both backends UP", lambda: set(_stats(address).values()) == {"UP"})
    assert {httpx.get(f"http://{address}/", timeout=5).text.strip() for _ in range(6)} == {"web-1", "web-2"}


def test_removing_prometheus_stops_it_and_the_node_exporter(stack: CloudStack) -> None:
    out = stack.project.outputs()
    lb, web_1 = out["lb_id"], out["web_ids"][0]
    assert stack.sh(lb, f"({host_services.enabled_and_running('prometheus')}) && echo ok").strip() == "ok"
    stack.project.config_set("lbmon:monitor", "false")
    stack.project.up()
    after = stack.project.outputs()
    assert "mon_healthy" not in after and after["lb_healthy"] is True

    def gone(name: str) -> str:
        running = host_services.running(name)
        return f"! ({running}) >/dev/null 2>&1 && echo gone"

    assert stack.sh(lb, gone("prometheus")).strip() == "gone"
    assert stack.sh(web_1, gone("prometheus-node-exporter")).strip() == "gone"
    assert (
        stack.sh(web_1, "test ! -e /var/lib/provisioning/prometheus-node-exporter && echo gone").strip()
        == "gone"
    )
    assert stack.sh(lb, f"({host_services.running('haproxy')}) >/dev/null && echo up").strip() == "up"
    assert httpx.get(f"http://{after['lb_ip']}/", timeout=5).status_code == 200
