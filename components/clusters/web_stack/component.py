"""WebStack: the web stack cluster as a Pulumi component (see docs/clusters.md).

    stack = WebStack("shop", {"app_name": "shop", "web_tier": {"replicas": 2}, "app_tier": {"replicas": 2}},
                     ssh_public_key=public_key, ssh_private_key=private_key,
                     database_password=config.require_secret("databasePassword"))

The blueprint, each part a child resource with the dependencies it really has: a network and its six
subnets; the database servers (primary, and a replica with high availability) running the database task
service; the app servers (private subnets, alternating) each running WebApp, released in batches of
`app_tier.update_batch_size`; the web servers (public subnets) each running HAProxy in front of every app
server; the load balancer (HAProxy on a server with a public address) in front of the web servers; and
Prometheus scraping node exporters on every server, the app, the database exporter and HAProxy. Every
server gets a block of `/etc/hosts` naming the servers it talks to, so each config names them by host name:
scaling a tier changes exactly its servers and the configs that name them. A new instance type of the app or
web tier rolls through it: the servers' resource hooks (`resize_hooks`) take each batch out of the proxies'
pools for its resize and put it back healthy before the next."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import pulumi
from pulumi_command import remote

from provisioning.providers.custom_cloud import Network, Server, Subnet
from provisioning.providers.custom_cloud.cost import calculate_server_cost
from provisioning.sdk.cluster.component import Built, Cluster, Member
from provisioning.sdk.cluster.hosts import host_names
from provisioning.sdk.taskservice.target import Target
from provisioning.sdk.taskservice.templates import remote_command
from provisioning.sdk.validation import Violation

from .blueprint import (
    DATABASES,
    DISK_SIZE,
    Placement,
    alert_rules,
    database_config,
    database_login,
    derived_violations,
    haproxy_config,
    placements,
    scrape_jobs,
    webapp_config,
)
from .instance_types import machine_type
from .resize_hooks import ResizeHooks, TierRoll
from .rolling import FRONTS, batch_sizes, previous_batch, registration_order
from .spec import WEB_STACK, WebStackConfig

__all__ = ["WebStack"]

COSTS = {"web": 0.10, "app": 0.20, "database_ha": 0.80, "database": 0.40, "load_balancer": 0.05}
"""The stack's own estimate, USD per hour: per web and app replica, for the database, the load balancer."""


class _Build(NamedTuple):
    """What every part of one build reads: its children's name prefix, the config, a plain child's options."""

    resource_name: str
    config: WebStackConfig
    child: pulumi.ResourceOptions


@dataclass(frozen=True)
class _Host:
    """A server of the stack with its SSH target."""

    placement: Placement
    server: Server
    target: Target


class WebStack(Cluster):
    """A web application stack on Custom Cloud servers: load balancer, web, app, database, monitoring."""

    declaration = WEB_STACK

    def __init__(
        self,
        resource_name: str,
        config: WebStackConfig | Mapping[str, Any] | None = None,
        *,
        ssh_public_key: pulumi.Input[str],
        ssh_private_key: pulumi.Input[str],
        database_password: pulumi.Input[str],
        replication_password: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """`config`: the fields of `WebStackConfig`; `ssh_public_key`: installed on every server;
        `ssh_private_key` (a secret): how the task services reach them; `database_password` (a secret):
        the app's database user; `replication_password` (a secret, default: `database_password`): the
        replica's login to the primary."""
        self._public_key = ssh_public_key
        self._private_key = pulumi.Output.secret(ssh_private_key)
        self._password = pulumi.Output.secret(database_password)
        self._replication = pulumi.Output.secret(replication_password or database_password)
        super().__init__(resource_name, config, opts=opts)

    # -- costs, known at preview ---------------------------------------------------------------------

    def estimated_cost(self, config: WebStackConfig) -> float:
        """web 0.10 and app 0.20 per replica, database 0.80 with high availability (else 0.40), load
        balancer 0.05 (when enabled)."""
        database = COSTS["database_ha"] if config.database_tier.high_availability else COSTS["database"]
        balancer = COSTS["load_balancer"] if config.web_tier.load_balancer.enabled else 0.0
        return (
            config.web_tier.replicas * COSTS["web"]
            + config.app_tier.replicas * COSTS["app"]
            + database
            + balancer
        )

    def provider_cost(self, config: WebStackConfig) -> float:
        """Every server at the Custom Cloud's prices (machine type + disk)."""
        return sum(
            calculate_server_cost({"machine_type": machine_type(p.instance_type), "disk_size": DISK_SIZE})
            for p in placements(config)
        )

    def extra_violations(self, config: WebStackConfig) -> list[Violation]:
        """The task services' configs derived from this one pass their own rules (e.g. the health check
        path is not one of the app's own paths), named by the WebStack field they come from."""
        return derived_violations(config)

    # -- the blueprint -------------------------------------------------------------------------------

    def build(self, resource_name: str, config: WebStackConfig) -> Built:
        """Network, subnets, servers, host names, then each tier's task services."""
        child = pulumi.ResourceOptions(parent=self)
        guarded = pulumi.ResourceOptions(parent=self, depends_on=[self.guard])  # a refused change stops here
        labels: dict[str, pulumi.Input[str]] = {"cluster": config.app_name}
        network = Network(
            f"{resource_name}-vpc",
            name=f"{config.app_name}-vpc",
            cidr=config.network.vpc_cidr,
            labels=labels,
            opts=guarded,
        )
        build = _Build(resource_name, config, child)
        subnets = self._subnets(build, network, labels)
        servers = placements(config)
        hooks = _resize_hooks(resource_name, config, servers, self._private_key)
        made: dict[str, _Host] = {}
        for placement in registration_order(servers):  # each after the proxies in front of it
            subnet, zone = subnets[placement.subnet_kind][placement.subnet_index]
            server = Server(
                f"{resource_name}-{placement.suffix}",
                name=placement.name,
                machine_type=machine_type(placement.instance_type),
                zone=zone,
                disk_size=DISK_SIZE,
                vpc=network.id,
                subnet=subnet.id,
                external_ip=placement.external_ip,
                ssh_public_key=self._public_key,
                labels={**labels, "tier": placement.tier, "role": placement.role},
                keep_storage=placement.tier == "database" and config.keep_data,
                opts=pulumi.ResourceOptions.merge(
                    guarded, pulumi.ResourceOptions(hooks=hooks.binding(placement) if hooks else None)
                ),
            )
            if hooks:
                hooks.proxy(placement.name, server)
            made[placement.name] = _Host(placement, server, Target.server(server, self._private_key))
        hosts = {p.name: made[p.name] for p in servers}  # blueprint order, as every config lists them
        discovered = self._host_names(build, hosts)
        members = self._services(build, hosts, discovered, hooks)
        return Built(members, self._endpoints(config, hosts))

    def _subnets(
        self, build: _Build, network: Network, labels: dict[str, pulumi.Input[str]]
    ) -> dict[str, list[tuple[Subnet, str]]]:
        """The subnets of each kind (public, private, database), each with its zone."""
        resource_name, config, child = build
        zones = config.network.zones
        found: dict[str, list[tuple[Subnet, str]]] = {}
        for kind in ("public", "private", "database"):
            found[kind] = []
            for index, cidr in enumerate(getattr(config.network, f"{kind}_subnets")):
                zone = zones[index % len(zones)]
                subnet = Subnet(
                    f"{resource_name}-{kind}-{index + 1}",
                    name=f"{config.app_name}-{kind}-{index + 1}",
                    network_id=network.id,
                    cidr=cidr,
                    zone=zone,
                    labels=labels,
                    opts=child,
                )
                found[kind].append((subnet, zone))
        return found

    def _host_names(self, build: _Build, hosts: Mapping[str, _Host]) -> dict[str, pulumi.Resource]:
        """On each server, the `/etc/hosts` block naming the servers it talks to (its `talks_to` tiers)."""
        resource_name, config, child = build
        found = {}
        for name, host in hosts.items():
            entries = {
                other: peer.server.private_ip
                for other, peer in hosts.items()
                if peer.placement.tier in host.placement.talks_to or other == name
            }
            found[name] = host_names(
                f"{resource_name}-{host.placement.suffix}-hosts",
                config.app_name,
                host.target,
                entries,
                opts=child,
            )
        return found

    def _services(
        self,
        build: _Build,
        hosts: Mapping[str, _Host],
        discovered: Mapping[str, pulumi.Resource],
        hooks: ResizeHooks | None,
    ) -> list[Member]:
        """The task services of each tier, in blueprint order, and the members they make (`hooks`: the
        rolling hooks, which the app servers' configure steps get too)."""
        from provisioning.components.taskservs.haproxy import HAProxy
        from provisioning.components.taskservs.webapp import WebApp

        resource_name, config, child = build

        def tier(name: str) -> list[_Host]:
            return [h for h in hosts.values() if h.placement.tier == name]

        def after(host: _Host, *more: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=[discovered[host.placement.name], *more])

        members: list[Member] = []
        db_hosts = tier("database")
        # the database names no other server (the replica reaches the primary by its address)
        database = self._database(f"{resource_name}-db", config, db_hosts, opts=child)
        members += [
            Member("database", h.placement.name, h.placement.role, h.server, [database]) for h in db_hosts
        ]

        # the app needs the primary serving its user and database (its health step), not the replica
        primary_ready = getattr(database, "commands", {}).get("health", database)
        app_hosts = tier("app")
        batch = config.app_tier.update_batch_size
        apps: list[Any] = []
        for index, host in enumerate(app_hosts):
            previous = previous_batch(apps, index, batch)
            name = f"{resource_name}-{host.placement.suffix}-webapp"
            # a new environment restarts the app in its configure step: it rolls like a resize
            rolls = hooks.restarts(host.placement, f"{name}-configure") if hooks else None
            app = WebApp(
                name,
                webapp_config(config, host.placement),
                target=host.target,
                database_password=self._password,
                release_after=[p.release for p in previous],
                opts=pulumi.ResourceOptions.merge(
                    after(host, primary_ready), pulumi.ResourceOptions(transforms=[rolls] if rolls else None)
                ),
            )
            apps.append(app)
            members.append(Member("app", host.placement.name, host.placement.role, host.server, [app]))

        # a proxy's config names a server only once that server is healthy (its health step passed), so
        # a server added by scaling joins the pool healthy; one removed leaves it (drained) before it goes:
        # the web servers in front of the app servers, the load balancer in front of the web servers
        backends, behind = app_hosts, apps
        for front in ("web", "load_balancer"):
            proxies: list[Any] = []
            for host in tier(front):
                proxy = HAProxy(
                    f"{resource_name}-{host.placement.suffix}-haproxy",
                    haproxy_config(config, host.placement, [h.placement for h in backends]),
                    target=host.target,
                    configure_after=[server.commands["health"] for server in behind],
                    opts=after(host),
                )
                proxies.append(proxy)
                members.append(Member(front, host.placement.name, host.placement.role, host.server, [proxy]))
            backends, behind = tier(front), proxies

        for host in tier("monitoring"):
            members.append(self._monitoring(build, host, hosts, after(host)))
        return members

    def _database(
        self, resource_name: str, config: WebStackConfig, hosts: list[_Host], opts: pulumi.ResourceOptions
    ) -> pulumi.ComponentResource:
        """The database task service of `database_tier.type` on the primary, streaming to the replica."""
        _, user = database_login(config)
        replicas = [h.target for h in hosts[1:]]
        service = DATABASES[config.database_tier.type].component()
        return service(
            resource_name,
            database_config(config),
            target=hosts[0].target,
            passwords={user: self._password},
            replicas=replicas,
            replication_password=self._replication if replicas else None,
            opts=opts,
        )

    def _monitoring(
        self, build: _Build, host: _Host, hosts: Mapping[str, _Host], opts: pulumi.ResourceOptions
    ) -> Member:
        """Prometheus on the monitoring server, scraping a node exporter on every server (each installed by
        its own steps, so adding a server adds its exporter alone) and the app, database and HAProxy."""
        from provisioning.components.taskservs.prometheus import Prometheus, PrometheusConfig
        from provisioning.components.taskservs.prometheus.render import exporter_scripts

        resource_name, config, _ = build
        settings: dict[str, Any] = {
            "name": host.placement.name,
            "retention": config.monitoring.metrics_retention,
            "scrape_interval": "5s",
            "scrape_targets": scrape_jobs(config, [h.placement for h in hosts.values()]),
        }
        if config.monitoring.alerting:
            settings["alert_rules"] = alert_rules(config)
        scripts = exporter_scripts(PrometheusConfig(name=host.placement.name))
        exporters: list[pulumi.Resource] = []
        for peer in hosts.values():
            prefix = f"{resource_name}-{peer.placement.suffix}-node-exporter"
            sudo = peer.target.user != "root"
            remove = remote.Command(
                f"{prefix}-remove",
                connection=peer.target.connection,
                create=remote_command("node-exporter-remove", scripts["remove"].run, sudo=sudo),
                delete=remote_command("node-exporter-remove", scripts["remove"].delete or "", sudo=sudo),
                add_previous_output_in_env=False,
                opts=pulumi.ResourceOptions(parent=self),
            )
            install = remote_command("node-exporter-install", scripts["install"].run, sudo=sudo)
            exporters.append(
                remote.Command(
                    f"{prefix}-install",
                    connection=peer.target.connection,
                    create=install,
                    update=install,
                    add_previous_output_in_env=False,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[remove]),
                )
            )
        monitor = Prometheus(
            f"{resource_name}-{host.placement.suffix}-prometheus", settings, target=host.target, opts=opts
        )
        return Member("monitoring", host.placement.name, host.placement.role, host.server, [monitor])

    def _endpoints(self, config: WebStackConfig, hosts: Mapping[str, _Host]) -> dict[str, pulumi.Input[str]]:
        """`web`: the load balancer's URL (its public address), else the first web server's; `monitoring`:
        Prometheus's URL, or "" without monitoring."""
        balancers = [h for h in hosts.values() if h.placement.tier == "load_balancer"]
        webs = [h for h in hosts.values() if h.placement.tier == "web"]
        if balancers:
            server = balancers[0].server
            scheme = "https" if config.web_tier.load_balancer.ssl else "http"
            address = pulumi.Output.all(server.public_ip, server.private_ip).apply(lambda a: a[0] or a[1])
            web: pulumi.Input[str] = address.apply(lambda a: f"{scheme}://{a}")
        else:
            web = webs[0].server.private_ip.apply(lambda a: f"http://{a}")
        monitors = [h for h in hosts.values() if h.placement.tier == "monitoring"]
        monitoring: pulumi.Input[str] = (
            monitors[0].server.private_ip.apply(lambda a: f"http://{a}:9090") if monitors else ""
        )
        return {"web": web, "monitoring": monitoring}


def _resize_hooks(
    resource_name: str, config: WebStackConfig, servers: list[Placement], private_key: pulumi.Output[str]
) -> ResizeHooks | None:
    """The servers' resize hooks (the warning at preview; the app and web tiers' drain and readmit); None
    under `pulumi.runtime.Mocks`, which serves no hooks (they run only on the engine)."""
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.settings import get_monitor

    if isinstance(get_monitor(), MockMonitor):
        return None
    batches = batch_sizes(config)
    tiers = {
        tier: TierRoll(
            servers=sum(1 for p in servers if p.tier == tier),
            batch=batches[tier],
            proxies=tuple(p.name for p in servers if p.tier == front),
        )
        for tier, front in FRONTS.items()
    }
    return ResizeHooks(resource_name, servers, tiers, private_key)
