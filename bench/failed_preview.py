"""Benchmark: a failed `pulumi preview` against a passing one of the same program (one run each).

    source scripts/env.sh && python bench/failed_preview.py

The program is the getting-started one (a network, a subnet, two servers) on a local Custom Cloud with
record hosts; the failing run only changes the zone to one the region does not have, so the subnet's
check fails. Prints both wall times and their ratio (goal: ≤ 1.1, the failed preview no slower)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.cloud import running_cloud  # noqa: E402
from tests.support.pulumi_cli import PulumiProject  # noqa: E402

PROGRAM = """\
import pulumi
from provisioning.providers.custom_cloud import Network, Server, Subnet
zone = pulumi.Config("bench").get("zone") or "us-west-1a"
network = Network("net", cidr="10.20.0.0/16")
subnet = Subnet("subnet", network_id=network.id, cidr="10.20.1.0/24", zone=zone)
servers = [
    Server(f"web-{n}", machine_type="small", zone=zone, vpc=network.id, subnet=subnet.id) for n in (1, 2)
]
pulumi.export("private_ips", [server.private_ip for server in servers])
"""


def timed_preview(project: PulumiProject, zone: str) -> tuple[float, int]:
    project.config_set("bench:zone", zone)
    started = time.monotonic()
    result = project.preview(check=False)
    return time.monotonic() - started, result.returncode


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = root / "src"
        source.mkdir()
        (source / "Pulumi.yaml").write_text("name: bench-failed-preview\nruntime: python\n")
        (source / "__main__.py").write_text(PROGRAM)
        with running_cloud(root) as cloud:
            project = PulumiProject.copy_of(source, root / "proj", PROVISIONING_LOG_DIR=str(root / "logs"))
            project.config_set("custom-cloud:apiUrl", cloud.url)
            project.config_set("custom-cloud:apiKey", cloud.api_key, secret=True)
            timed_preview(project, "us-west-1a")  # warm the caches both runs share
            passing, passed = timed_preview(project, "us-west-1a")
            failing, failed = timed_preview(project, "mars-1a")
    assert passed == 0 and failed != 0, f"expected a passing then a failing preview, got {passed}, {failed}"
    ratio = failing / passing
    print(f"preview wall time: passing {passing:.2f} s, failed {failing:.2f} s, ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
