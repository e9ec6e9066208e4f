"""The resource hooks of a WebStack's servers when their machine type changes (a stop, a resize, a start),
and of each app server's WebApp `configure` step (an update of it restarts the app: a new environment):

- at preview too, a warning naming the WebStack field, the server and what the resize costs (a database
  server's: the whole stack; an app or web server's: nothing when it rolls, else why it cannot);
- before a rolling tier's server (or its restarting step) is updated, it waits for its turn (`RollGate`:
  one tier at a time, its batch at once), then it is drained on every HAProxy in front of it (the web
  servers' for an app server, the load balancer's for a web server) once another server of that pool is up;
- after it is updated (started again), it is put back on each of them and the hook waits until their checks
  see it up; only then is its turn over. A failed update or hook stops the roll (an error hook).

Hooks run in the program, on the engine only: under `pulumi.runtime.Mocks` none is bound."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .blueprint import Placement
from .proxy_runtime import backend_of, drain_script, readmit_script
from .remote_shell import SshEndpoint, run_script
from .roll_gate import RollGate
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


def _machine_types(args: pulumi.ResourceHookArgs | pulumi.ErrorHookArgs) -> tuple[str, str] | None:
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
        self._restarts: dict[str, Placement] = {}
        self._tiers = dict(tiers)
        self._key = private_key
        self._endpoints: dict[str, pulumi.Output[SshEndpoint]] = {}
        self._gate = RollGate({tier: roll.batch for tier, roll in self._tiers.items()})
        self._warning = pulumi.ResourceHook(
            f"{resource_name}-resize-warning", self._warn, pulumi.ResourceHookOptions(on_dry_run=True)
        )
        self._drain = pulumi.ResourceHook(f"{resource_name}-resize-drain", self._drain_server)
        self._readmit = pulumi.ResourceHook(f"{resource_name}-resize-readmit", self._readmit_server)
        self._failed = pulumi.ErrorHook(f"{resource_name}-resize-failed", self._stop_roll)

    def proxy(self, name: str, server: Any) -> None:
        """Record the `Server` named `name` when it is a proxy in front of a rolling tier: its SSH endpoint,
        once known."""
        if not any(name in roll.proxies for roll in self._tiers.values()):
            return
        self._endpoints[name] = pulumi.Output.all(
            server.ssh_host, server.ssh_port, server.ssh_host_key_fingerprints
        ).apply(lambda v: SshEndpoint(name, str(v[0]), int(v[1]), tuple(v[2] or ())))

    def binding(self, placement: Placement) -> pulumi.ResourceHookBinding:
        """The warning before any update; for a tier whose resize rolls, its turn and drain before, back
        after, and the roll stopped when the update fails."""
        roll = self._tiers.get(placement.tier)
        if roll is None or not roll.rolls:
            return pulumi.ResourceHookBinding(before_update=[self._warning])
        return pulumi.ResourceHookBinding(
            before_update=[self._warning, self._drain], after_update=[self._readmit], on_error=[self._failed]
        )

    def restarts(self, placement: Placement, step: str) -> pulumi.ResourceTransform | None:
        """A transform for the task service on `placement` that binds the rolling hooks to its child
        `step` (a resource named `step`, whose update restarts the service): drained on the proxies in
        front before, back after, a batch at a time. None when the tier cannot roll."""
        roll = self._tiers.get(placement.tier)
        if roll is None or not roll.rolls:
            return None
        self._restarts[step] = placement
        binding = pulumi.ResourceHookBinding(
            before_update=[self._drain], after_update=[self._readmit], on_error=[self._failed]
        )

        def bind(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if args.name != step:
                return None
            hooked = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(hooks=binding))
            return pulumi.ResourceTransformResult(args.props, hooked)

        return bind

    def _rolling(self, args: pulumi.ResourceHookArgs | pulumi.ErrorHookArgs) -> Placement | None:
        """The server of a rolling tier whose machine type changes, or whose restarting step is updated;
        else None."""
        placement = self._restarts.get(args.name)
        if placement is None:
            placement = self._names.get(args.name)
            if placement is None or _machine_types(args) is None:
                return None
        roll = self._tiers.get(placement.tier)
        return placement if roll is not None and roll.rolls else None

    def _warn(self, args: pulumi.ResourceHookArgs) -> None:
        change = _machine_types(args)
        placement = self._names.get(args.name)
        if change is None or placement is None:
            return
        roll = self._tiers.get(placement.tier, TierRoll(servers=1, batch=1, proxies=()))
        notice = resize_notice(
            placement.tier, placement.name, *change, servers=roll.servers, batch=roll.batch,
            fronted=bool(roll.proxies),
        )  # fmt: skip
        if notice is not None:
            pulumi.log.warn(notice.message)

    async def _drain_server(self, args: pulumi.ResourceHookArgs) -> None:
        placement = self._rolling(args)
        if placement is None:
            return
        # the proxies' endpoints first: a proxy being resized itself has them once its update is done, so
        # a server never holds its turn while waiting for a proxy that waits for a turn
        proxies = await self._proxies(placement)
        await self._gate.enter(placement.tier, placement.name)
        try:
            await self._on_proxies(proxies, placement, drain_script, "drain")
        except Exception as exc:
            await self._gate.leave(placement.name, failed=f"the drain of {placement.name} failed: {exc}")
            raise

    async def _readmit_server(self, args: pulumi.ResourceHookArgs) -> None:
        placement = self._rolling(args)
        if placement is None:
            return
        try:
            await self._on_proxies(await self._proxies(placement), placement, readmit_script, "readmit")
        except Exception as exc:
            await self._gate.leave(placement.name, failed=f"{placement.name} did not come back: {exc}")
            raise
        await self._gate.leave(placement.name)

    async def _stop_roll(self, args: pulumi.ErrorHookArgs) -> bool:
        """The update failed: the roll stops (the server stays drained); never retried."""
        placement = self._rolling(args)
        if placement is not None and placement.name in self._gate.out:
            why = (args.errors or ["(no message)"])[0]
            await self._gate.leave(placement.name, failed=f"the update of {placement.name} failed: {why}")
        return False

    async def _proxies(self, placement: Placement) -> list[SshEndpoint]:
        """The SSH endpoints of the proxies in front of `placement`'s tier (those made by this program)."""
        found = []
        for proxy in self._tiers[placement.tier].proxies:
            endpoint = await self._endpoints[proxy].future() if proxy in self._endpoints else None
            if endpoint is not None:
                found.append(endpoint)
        return found

    async def _on_proxies(
        self,
        proxies: Sequence[SshEndpoint],
        placement: Placement,
        script: Callable[[str, str], str],
        what: str,
    ) -> None:
        """`script(backend, server)` on every proxy at once; their output logged."""
        key = str(await self._key.future())
        runs = [
            asyncio.to_thread(
                run_script,
                ssh,
                key,
                script(backend_of(ssh.name), placement.name),
                what=f"{what} of {placement.name}",
            )
            for ssh in proxies
        ]
        for output in await asyncio.gather(*runs):
            pulumi.log.info(output.strip())
