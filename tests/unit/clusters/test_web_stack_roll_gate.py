"""The turns of a rolling change (web_stack/roll_gate.py), in asyncio alone: one tier at a time, at most its
batch out of service at once, the next in when one is back, and a failure stopping the roll."""

from __future__ import annotations

import asyncio

import pytest

from provisioning.components.clusters.web_stack.roll_gate import RollGate, RollStopped


async def entered(gate: RollGate, tier: str, server: str, log: list[str]) -> None:
    await gate.enter(tier, server)
    log.append(server)


async def settle() -> None:
    """Let every task that can go on do so."""
    await asyncio.sleep(0.05)


def test_a_tier_goes_one_batch_at_a_time() -> None:
    async def run() -> None:
        gate, log = RollGate({"app": 2}), []
        tasks = [asyncio.create_task(entered(gate, "app", f"app-{i}", log)) for i in range(3)]
        await settle()
        assert log == ["app-0", "app-1"] and gate.out == {"app-0", "app-1"}
        await gate.leave("app-0")
        await settle()
        assert log == ["app-0", "app-1", "app-2"] and gate.out == {"app-1", "app-2"}
        await asyncio.gather(*tasks)

    asyncio.run(run())


def test_one_tier_at_a_time() -> None:
    async def run() -> None:
        gate, log = RollGate({"app": 2, "web": 1}), []
        web = asyncio.create_task(entered(gate, "web", "web-0", log))
        await settle()
        app = asyncio.create_task(entered(gate, "app", "app-0", log))
        await settle()
        assert log == ["web-0"]  # app servers wait while a web server is out
        await gate.leave("web-0")
        await settle()
        assert log == ["web-0", "app-0"] and gate.out == {"app-0"}
        await asyncio.gather(web, app)

    asyncio.run(run())


def test_a_failure_stops_the_roll() -> None:
    async def run() -> None:
        gate, log = RollGate({"app": 1}), []
        await gate.enter("app", "app-0")
        waiting = asyncio.create_task(entered(gate, "app", "app-1", log))
        await settle()
        await gate.leave("app-0", failed="the update of app-0 failed: boom")
        with pytest.raises(
            RollStopped, match="the roll stopped before app-1: the update of app-0 failed: boom"
        ):
            await waiting
        with pytest.raises(RollStopped):
            await gate.enter("app", "app-2")
        assert log == [] and gate.out == set()

    asyncio.run(run())


def test_a_turn_that_never_comes_is_an_error() -> None:
    async def run() -> None:
        gate = RollGate({"web": 1}, timeout=0.05)
        await gate.enter("web", "web-0")
        with pytest.raises(RollStopped, match=r"web-1 waited 0 s for its turn \(web-0 out\)"):
            await gate.enter("web", "web-1")

    asyncio.run(run())


def test_leaving_without_a_turn_changes_nothing() -> None:
    async def run() -> None:
        gate = RollGate({"app": 1})
        await gate.enter("app", "app-0")
        await gate.leave("app-9")
        assert gate.out == {"app-0"}

    asyncio.run(run())
