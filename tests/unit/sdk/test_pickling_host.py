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


def _in_pulumis_host(probe: str) -> tuple[str, str]:
    """Runs pulumi's real dynamic provider host (`pulumi/dynamic/__main__.py`) with `probe`, the source of a
    function `probe()` that prints a `RESULT …` line, called in a thread a second after the host starts:
    that line ("" if none) and all that the process printed."""
    script = "import os, runpy, sys, threading, time\n" + textwrap.dedent(probe) + _HOST_MAIN
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    line = next((row for row in result.stdout.splitlines() if row.startswith("RESULT")), "")
    return line, f"{result.stdout}\n{result.stderr}"


_HOST_MAIN = textwrap.dedent(
    """

    def _probe_after_a_second():
        time.sleep(1.0)
        probe()
        os._exit(0)

    threading.Thread(target=_probe_after_a_second, daemon=True).start()
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)
    """
)

_HOST_PROBE = """
    from provisioning.sdk._host import find_host_executor, in_dynamic_host, raise_host_workers

    def probe():
        pool = find_host_executor()
        before = None if pool is None else pool._max_workers
        raised = raise_host_workers(64)
        print(f"RESULT in_host={in_dynamic_host()} before={before} after={raised}", flush=True)
    """


def test_host_executor_is_found_and_raised_in_pulumis_real_host() -> None:
    line, output = _in_pulumis_host(_HOST_PROBE)
    assert line == "RESULT in_host=True before=4 after=64", (
        "pulumi's dynamic host internals changed (ThreadPoolExecutor(max_workers=4) in main(), grpc "
        f"server._state.thread_pool): update provisioning/sdk/_host.py\n{output}"
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


_CREATE_PROBE = """
    def probe():
        from provisioning.sdk import _host as host
        import provisioning.sdk.dynamic  # noqa: F401 (installs the host patches on import)
        servicer = sys.modules["__main__"].DynamicResourceProviderServicer
        names = " ".join(getattr(servicer, m).__name__ for m in ("Check", "Diff", "Update", "Read", "Delete"))
        create = f"create={servicer.Create.__name__} handlers={host.create_handlers()}"
        print(f"RESULT {create} {names}", flush=True)
    """


def test_create_urn_patch_reaches_pulumis_real_host() -> None:
    line, output = _in_pulumis_host(_CREATE_PROBE)
    rewritten = "check_rewritten diff_rewritten update_rewritten read_rewritten delete_rewritten"
    assert line == f"RESULT create=create_rewritten handlers=1 {rewritten}", (
        "pulumi's dynamic host internals changed (servicer.Create, grpc handlers): update "
        f"provisioning/sdk/_host.py\n{output}"
    )


def test_the_provider_is_kept_out_of_checked_inputs_and_given_back_to_create_diff_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pulumi.runtime.proto import provider_pb2

    from provisioning.providers.custom_cloud.server import ServerProvider
    from provisioning.sdk._host import with_checked_provider, without_provider_input

    class _Captures(pulumi.dynamic.ResourceProvider):  # pulumi's default: its provider may hold secrets
        pass

    # the host's deserialized providers, by serialization (pulumi/dynamic/__main__.py `_PROVIDER_CACHE`)
    cache = {"serialized": ServerProvider(), "someone-elses": _Captures()}
    monkeypatch.setattr(sys.modules["__main__"], "_PROVIDER_CACHE", cache, raising=False)
    urn = "urn:pulumi:s::p::pulumi-python:dynamic/custom-cloud:Server::keep-out"

    def checked(provider: str, resource_urn: str = urn) -> dict[str, object]:
        check = provider_pb2.CheckRequest(urn=resource_urn)
        check.news.update({"__provider": provider, "machine_type": "micro"})
        answer = provider_pb2.CheckResponse()
        answer.inputs.update({"__provider": provider, "machine_type": "micro"})
        return dict(without_provider_input(check, answer).inputs)

    assert checked("serialized") == {"machine_type": "micro"}
    other_urn = urn.replace("keep-out", "theirs")
    assert checked("someone-elses", other_urn) == {"__provider": "someone-elses", "machine_type": "micro"}
    read = provider_pb2.ReadRequest(urn=urn)
    read.properties.update({"__provider": "serialized"})
    assert dict(without_provider_input(read, provider_pb2.ReadResponse()).inputs) == {}

    create = provider_pb2.CreateRequest(urn=urn)
    create.properties.update({"machine_type": "micro"})
    assert with_checked_provider(create, "properties").properties["__provider"] == "serialized"
    assert "__provider" not in create.properties  # the original is left alone
    for request in (provider_pb2.DiffRequest(urn=urn), provider_pb2.UpdateRequest(urn=urn)):
        assert with_checked_provider(request, "news").news["__provider"] == "serialized"
    theirs = provider_pb2.CreateRequest(urn=other_urn)
    assert with_checked_provider(theirs, "properties") is theirs  # never taken out: left as it came
    other = provider_pb2.DiffRequest(urn=urn.replace("keep-out", "never-checked"))
    assert with_checked_provider(other, "news") is other  # nothing remembered, no olds: left as it came
    other.olds.update({"__provider": "from-outputs"})  # a refresh's diff of read outputs: no Check before
    assert with_checked_provider(other, "news").news["__provider"] == "from-outputs"
    own = provider_pb2.DiffRequest(urn=urn)
    own.news.update({"__provider": "its-own"})
    assert with_checked_provider(own, "news").news["__provider"] == "its-own"


def test_the_serialized_provider_is_no_secret() -> None:
    from provisioning.providers.custom_cloud.server import ServerProvider

    assert ServerProvider().serialize_as_secret_always is False  # read by pulumi's dynamic Resource
