"""The resource hooks of a WebStack's servers when their machine type changes (a stop, a resize, a start):

- at preview too, a warning naming the WebStack field, the server and what the resize costs (a database
  server's: the whole stack; an app or web server's: nothing when it rolls, else why it cannot);
- before a rolling tier's server is updated, it is drained on every HAProxy in front of it (the web servers'
  for an app server, the load balancer's for a web server) once another server of its pool is up;
- after it is updated (started again), it is put back on each of them and the hook waits until their checks
  see it up, so the next server's update (which depends on this one) starts with this one serving.

Hooks run in the program, on the engine only: under `pulumi.runtime.Mocks` none is bound."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .blueprint import Placement
from .proxy_runtime import backend_of, drain_script, readmit_script
from .remote_shell import SshEndpoint, run_script
from .rolling import resize_notice

__all__ = ["ResizeHooks", "TierRoll"]


@dataclass(frozen=True)
class TierRoll:
    """How one tier's resize goes."""

    servers: int
    """Servers in the tier."""
    batch: int
    """Servers stopped at once."""
    proxies: tuple[str, ...]
    """The servers whose HAProxy is in front of it (by name)."""

    @property
    def rolls(self) -> bool:
        """A resize rolls when another server serves meanwhile, behind a proxy that can drain it."""
        return self.servers > 1 and bool(self.proxies)


def _machine_types(args: pulumi.ResourceHookArgs) -> tuple[str, str] | None:
    """(before, after) when the hook's server changes machine type, else None."""
    before = (args.old_inputs or {}).get("machine_type")
    after = (args.new_inputs or {}).get("machine_type")
    return None if before == after else (str(before), str(after))


class ResizeHooks:
    """The hooks of every server of one WebStack `resource_name`: `binding(placement)` for each."""

    def __init__(
        self,
        resource_name: str,
        servers: Sequence[Placement],
        tiers: Mapping[str, TierRoll],
        private_key: pulumi.Output[str],
    ) -> None:
        """`servers`: every server of the stack; `tiers`: how each tier whose resize may roll goes;
        `private_key`: the stack's SSH key (a secret), read by the hooks when they run. Each proxy's
        `Server` is named with `proxy` once made (the hooks read its SSH endpoint when they run)."""
        self._names = {f"{resource_name}-{p.suffix}": p for p in servers}
        self._tiers = dict(tiers)
        self._key = private_key
        self._warning = pulumi.ResourceHook(
            f"{resource_name}-resize-warning", self._warn, pulumi.ResourceHookOptions(on_dry_run=True)
        )
        self._endpoints: dict[str, pulumi.Output[SshEndpoint]] = {}
        self._rolls: dict[str, tuple[pulumi.ResourceHook, pulumi.ResourceHook]] = {}
        for tier, roll in self._tiers.items():
            if roll.rolls:
                drain = self._on_proxies(roll.proxies, drain_script, "drain")
                readmit = self._on_proxies(roll.proxies, readmit_script, "readmit")
                self._rolls[tier] = (
                    pulumi.ResourceHook(f"{resource_name}-{tier}-resize-drain", drain),
                    pulumi.ResourceHook(f"{resource_name}-{tier}-resize-readmit", readmit),
                )

    def proxy(self, name: str, server: Any) -> None:
        """Record the `Server` named `name` when it is a proxy in front of a rolling tier: its SSH endpoint,
        once known."""
        if not any(name in roll.proxies for roll in self._tiers.values()):
            return
        self._endpoints[name] = pulumi.Output.all(
            server.ssh_host, server.ssh_port, server.ssh_host_key_fingerprints
        ).apply(lambda v: SshEndpoint(name, str(v[0]), int(v[1]), tuple(v[2] or ())))

    def binding(self, placement: Placement) -> pulumi.ResourceHookBinding:
        """The warning before any update; for a tier whose resize rolls, drain before and put back after."""
        roll = self._rolls.get(placement.tier)
        if roll is None:
            return pulumi.ResourceHookBinding(before_update=[self._warning])
        drain, readmit = roll
        return pulumi.ResourceHookBinding(before_update=[self._warning, drain], after_update=[readmit])

    def _warn(self, args: pulumi.ResourceHookArgs) -> None:
        change = _machine_types(args)
        placement = self._names.get(args.name)
        if change is None or placement is None:
            return
        roll = self._tiers.get(placement.tier, TierRoll(servers=1, batch=1, proxies=()))
        notice = resize_notice(
            placement.tier,
            placement.name,
            *change,
            servers=roll.servers,
            batch=roll.batch,
            fronted=bool(roll.proxies),
        )
        if notice is not None:
            pulumi.log.warn(notice.message)

    def _on_proxies(
        self,
        proxies: Sequence[str],
        script: Callable[[str, str], str],
        what: str,
    ) -> Callable[[pulumi.ResourceHookArgs], Awaitable[None]]:
        """A hook running `script(backend, server)` on every proxy at once, when the machine type changes."""

        async def hook(args: pulumi.ResourceHookArgs) -> None:
            placement = self._names.get(args.name)
            if _machine_types(args) is None or placement is None:
                return
            key = await self._key.future()
            found = [await self._endpoints[proxy].future() for proxy in proxies if proxy in self._endpoints]
            runs = [
                asyncio.to_thread(
                    run_script,
                    ssh,
                    str(key),
                    script(backend_of(ssh.name), placement.name),
                    what=f"{what} of {placement.name}",
                )  # fmt: skip
                for ssh in found
                if ssh is not None
            ]
            for output in await asyncio.gather(*runs):
                pulumi.log.info(output.strip())

        return hook
