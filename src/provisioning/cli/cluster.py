"""`provisioning cluster scale|autoscale`: change a deployed cluster's tiers through Pulumi's Automation API.

Both set the stack's config object the program reads its cluster config from (`cluster` by default), run a
preview that lists each resource it changes, then update the stack. Run them where `pulumi` works for the
stack (project folder, backend, passphrase)."""

from __future__ import annotations

import argparse
import statistics
import time
from typing import TYPE_CHECKING

from ._common import CliError, command_group
from ._stack import add_stack_arguments

if TYPE_CHECKING:
    from provisioning.sdk.scaling import ClusterStack, Decision

    from ._common import Subcommands

__all__ = ["register"]


def register(commands: Subcommands) -> None:
    """Add `provisioning cluster scale` and `provisioning cluster autoscale`."""
    actions = command_group(commands, "cluster", help="scale a deployed cluster's tiers", metavar="ACTION")

    scale = actions.add_parser(
        "scale",
        help="set a tier's replicas, preview, apply",
        description="Set TIER's replicas to N in the stack's config, preview (each changed resource is "
        "printed) and apply. N is checked against the cluster's rules first; a failed preview puts the "
        "config back.",
    )
    _stack_arguments(scale)
    scale.add_argument("tier", metavar="TIER", help="the tier to scale (WebStack: web, app)")
    scale.add_argument("replicas", metavar="N", type=int, help="its new number of servers")
    scale.add_argument("--preview-only", action="store_true", help="preview, then put the config back")
    scale.set_defaults(func=_scale)

    auto = actions.add_parser(
        "autoscale",
        help="scale the app tier from its CPU in Prometheus",
        description="Read the app tier's CPU (each app process's own CPU) from the cluster's Prometheus, "
        "compare its mean with auto_scaling.cpu_threshold and scale the app tier within min_replicas .. "
        "max_replicas: desired = ceil(replicas x cpu / threshold), unchanged within 10%% of the threshold. "
        "Prints each decision. Once, or every --interval seconds with --watch.",
    )
    _stack_arguments(auto)
    auto.add_argument("--watch", action="store_true", help="reconcile again every --interval seconds")
    auto.add_argument("--interval", type=float, default=60.0, help="seconds between reconciles (60)")
    auto.add_argument("--rounds", type=int, default=0, help="with --watch: stop after this many (0: never)")
    auto.add_argument("--window", default="1m", help="the CPU rate's window, a Prometheus duration (1m)")
    auto.add_argument("--dry-run", action="store_true", help="decide and print, change nothing")
    auto.set_defaults(func=_autoscale)


def _stack_arguments(parser: argparse.ArgumentParser) -> None:
    add_stack_arguments(parser, json=False)
    parser.add_argument("--config-key", default="cluster", help="the config object of the cluster (cluster)")
    parser.add_argument("--cluster", default=None, help="the cluster's name, if several")


def _select(args: argparse.Namespace) -> ClusterStack:
    from provisioning.sdk.scaling import ClusterStack, ScalingError

    try:
        return ClusterStack.select(args.stack, args.cwd, config_key=args.config_key, cluster=args.cluster)
    except ScalingError as exc:
        raise CliError(str(exc)) from exc


def _scale_to(cluster: ClusterStack, tier: str, replicas: int, *, apply: bool) -> None:
    from provisioning.sdk.scaling import ScalingError

    try:
        cluster.check(tier, replicas)
        print(
            f"{cluster.cluster.name}: {tier} tier {cluster.replicas(tier)} -> {replicas} replicas", flush=True
        )
        result = cluster.scale(tier, replicas, apply=apply, on_change=lambda c: print(f"  {c}", flush=True))
    except ScalingError as exc:
        raise CliError(str(exc)) from exc
    if not result.changes:
        print("  no changes")
    done = "applied" if result.applied else "previewed only; config unchanged"
    print(f"{len(result.changes)} resource(s) to change, {done} ({result.seconds:.1f} s)", flush=True)


def _scale(args: argparse.Namespace) -> int:
    if args.replicas < 0:
        raise CliError(f"N must be a number of servers, 0 or more (got {args.replicas})")
    _scale_to(_select(args), args.tier, args.replicas, apply=not args.preview_only)
    return 0


def _reconcile(args: argparse.Namespace) -> Decision:
    from provisioning.sdk.scaling import AutoScaling, ScalingError, app_cpu_percent, decide

    cluster = _select(args)
    tier = "app"
    policy = AutoScaling.from_config(cluster.section(tier))
    if not policy.enabled:
        raise CliError(f"{cluster.cluster.name}: app_tier.auto_scaling.enabled is false: nothing to do")
    prometheus = cluster.endpoint("monitoring")
    if prometheus is None:
        raise CliError(f"{cluster.cluster.name} has no monitoring endpoint: autoscale reads Prometheus")
    try:
        samples = app_cpu_percent(prometheus, job=tier, window=args.window)
    except ScalingError as exc:
        raise CliError(str(exc)) from exc
    cpu = statistics.fmean(samples.values()) if samples else None
    decision = decide(cluster.replicas(tier), cpu, policy)
    per_server = ", ".join(f"{where} {value:.1f}%" for where, value in sorted(samples.items()))
    print(f"{time.strftime('%H:%M:%S')} app tier: {decision}" + (f" [{per_server}]" if per_server else ""))
    if decision.changes and not args.dry_run:
        _scale_to(cluster, tier, decision.desired, apply=True)
    return decision


def _autoscale(args: argparse.Namespace) -> int:
    rounds = 0
    while True:
        _reconcile(args)
        rounds += 1
        if not args.watch or (args.rounds and rounds >= args.rounds):
            return 0
        time.sleep(args.interval)
