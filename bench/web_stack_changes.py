"""Day-two changes of a WebStack under traffic, on machine hosts: examples/web-stack (web 2, app 2,
PostgreSQL, no monitoring) deployed once, then each change applied with `pulumi up` while `--threads`
threads send `GET /version` through the load balancer (at least `--minimum` requests per change, at most
60,000 and 15 minutes). Prints, per change: requests, failed requests (by kind), p50 and p99 latency during
the change, and the change's wall time (the `up` alone). Never a timed test.

Run: `python bench/web_stack_changes.py` (as root: machine hosts). The traffic goes only to the load
balancer of the stack this run creates.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.e2e.test_web_stack import deployed_web_stack, page, small_cluster, wait_for  # noqa: E402
from tests.e2e.web_traffic import Traffic, TrafficResult  # noqa: E402

CLUSTER: dict[str, Any] = small_cluster("bench", "10.84")

CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("app_version 1.0 -> 2.0 (rolling)", {"app_version": "2.0"}),
    ("app_tier.replicas 2 -> 3", {"app_tier": {"replicas": 3}}),
    ("app_tier.replicas 3 -> 2", {"app_tier": {"replicas": 2}}),
    ("web_tier.replicas 2 -> 1", {"web_tier": {"replicas": 1}}),
    ("web_tier.replicas 1 -> 2", {"web_tier": {"replicas": 2}}),
    (
        "health_check_path /health -> /healthz",
        {"web_tier": {"load_balancer": {"health_check_path": "/healthz"}}},
    ),
    ("app_tier.instance_type t3.large -> t3.xlarge", {"app_tier": {"instance_type": "t3.xlarge"}}),
    ("web_tier.instance_type t3.medium -> t3.large", {"web_tier": {"instance_type": "t3.large"}}),
    (
        "web and app tiers resized back at once",
        {"web_tier": {"instance_type": "t3.medium"}, "app_tier": {"instance_type": "t3.large"}},
    ),
]
"""Each change: its name, and the fields it sets (sections merged into the current config). The resizes roll
(the app tier, the web tier, then both at once: web first, then app)."""


def merged(config: dict[str, Any], edits: dict[str, Any]) -> dict[str, Any]:
    """`config` with `edits` merged in, section by section."""
    found = json.loads(json.dumps(config))
    for key, value in edits.items():
        found[key] = merged(found.get(key, {}), value) if isinstance(value, dict) else value
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=4, help="threads sending requests")
    parser.add_argument("--minimum", type=int, default=2000, help="requests per change, at least")
    parser.add_argument("--only", action="append", default=[], help="run the changes whose name has this")
    args = parser.parse_args()
    results: dict[str, TrafficResult] = {}
    with tempfile.TemporaryDirectory(prefix="web-stack-changes-") as folder:
        with deployed_web_stack(Path(folder), CLUSTER, label="bench", public_pool="100.84.0.0/24") as stack:
            for name, edits in CHANGES:
                if args.only and not any(part in name for part in args.only):
                    continue
                stack.configure(merged(stack.cluster, edits))
                url = stack.web()
                wait_for("the app answering through the load balancer", lambda u=url: page(u))
                with Traffic(url, threads=args.threads, minimum=args.minimum) as traffic:
                    started = time.monotonic()
                    stack.project.up()
                    results[name] = traffic.result(time.monotonic() - started)
                print(results[name].line(name), flush=True)
    print(f"\n{'change':<44} {'requests':>7} {'failed':>6}  latency (p50, p99), wall time of the up")
    for name, result in results.items():
        print(result.line(name))


if __name__ == "__main__":
    main()
