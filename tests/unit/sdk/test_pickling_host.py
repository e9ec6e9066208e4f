"""The pulumi#17803 workaround under mocks with 1,000 resources, and the host-executor tuning against
pulumi's real `pulumi/dynamic/__main__.py` (fails loudly if its internals change)."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pulumi
import pytest

from provisioning.providers.custom_cloud import Server
from provisioning.sdk._pickling import PATCHED_ATTRIBUTES


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        return {}, None


@pytest.fixture
def mocks() -> Iterator[None]:
    saved = pulumi.runtime.settings.SETTINGS
    pulumi.runtime.set_mocks(_Mocks(), project="unit", stack="mocks", preview=False)
    try:
        yield
    finally:
        pulumi.runtime.settings.configure(saved)


@pulumi.runtime.test
def _make_servers(count: int) -> pulumi.Output[list[str]]:
    servers = [Server(f"s{n}", machine_type="micro", zone="us-west-1a") for n in range(count)]
    return pulumi.Output.all(*[s.name for s in servers[:: max(1, count // 10)]])


def test_thousand_dynamic_resources_do_not_recurse_and_pickle_is_restored(mocks: None) -> None:
    before = {name: pickle._Pickler.__dict__.get(name) for name in PATCHED_ATTRIBUTES}  # type: ignore[attr-defined]
    _make_servers(1000)
    after = {name: pickle._Pickler.__dict__.get(name) for name in PATCHED_ATTRIBUTES}  # type: ignore[attr-defined]
    assert after == before
    assert pickle.Pickler is not pickle._Pickler  # type: ignore[attr-defined]


def test_server_type_token_is_stable() -> None:
    assert Server._resource_type_name == "dynamic/custom-cloud:Server"


_HOST_PROBE = textwrap.dedent(
    """
    import os, runpy, sys, threading, time
    from provisioning.sdk._host import find_host_executor, in_dynamic_host, raise_host_workers

    def probe():
        time.sleep(1.0)
        pool = find_host_executor()
        before = None if pool is None else pool._max_workers
        raised = raise_host_workers(64)
        print(f"RESULT in_host={in_dynamic_host()} before={before} after={raised}", flush=True)
        os._exit(0)

    threading.Thread(target=probe, daemon=True).start()
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
    """
)


def test_host_executor_is_found_and_raised_in_pulumis_real_host() -> None:
    result = subprocess.run([sys.executable, "-c", _HOST_PROBE], capture_output=True, text=True, timeout=60)
    line = next((row for row in result.stdout.splitlines() if row.startswith("RESULT")), "")
    assert line == "RESULT in_host=True before=4 after=64", (
        "pulumi's dynamic host internals changed (ThreadPoolExecutor(max_workers=4) in main(), grpc "
        f"server._state.thread_pool): update provisioning/sdk/_host.py\n{result.stdout}\n{result.stderr}"
    )


def test_create_requests_carry_the_urn_to_the_provider() -> None:
    from pulumi.runtime.proto import provider_pb2

    from provisioning.sdk._host import with_urn
    from provisioning.sdk.ownership import URN_KEY

    request = provider_pb2.CreateRequest(urn="urn:pulumi:s::p::t::n")
    request.properties["__provider"] = "x"
    patched = with_urn(request)
    assert patched.properties[URN_KEY] == "urn:pulumi:s::p::t::n" and patched.properties["__provider"] == "x"
    assert URN_KEY not in request.properties.fields  # the original is left alone
    assert with_urn(provider_pb2.CreateRequest()).properties.fields.get(URN_KEY) is None


_CREATE_PROBE = textwrap.dedent(
    """
    import os, runpy, sys, threading, time

    def probe():
        time.sleep(1.0)
        from provisioning.sdk import _host as host
        import provisioning.sdk.dynamic  # noqa: F401 (installs the host patches on import)
        servicer = sys.modules["__main__"].DynamicResourceProviderServicer
        print(f"RESULT create={servicer.Create.__name__} handlers={host.create_handlers()}", flush=True)
        os._exit(0)

    threading.Thread(target=probe, daemon=True).start()
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
    """
)


def test_create_urn_patch_reaches_pulumis_real_host() -> None:
    result = subprocess.run([sys.executable, "-c", _CREATE_PROBE], capture_output=True, text=True, timeout=60)
    line = next((row for row in result.stdout.splitlines() if row.startswith("RESULT")), "")
    assert line == "RESULT create=create_rewritten handlers=1", (
        "pulumi's dynamic host internals changed (servicer.Create, grpc handlers): update "
        f"provisioning/sdk/_host.py\n{result.stdout}\n{result.stderr}"
    )
