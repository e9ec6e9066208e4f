"""Internal: workarounds inside Pulumi's Python dynamic-provider host process (not public API).

The host (`python -m pulumi.dynamic`, pulumi/dynamic/__main__.py) serves gRPC from a
`ThreadPoolExecutor(max_workers=4)` created in its `main()`; that caps concurrent create/update/delete
calls at 4 whatever `--parallel` says. `raise_host_workers` lifts that cap once, from a provider method.
It touches private attributes of pulumi's host; tests/unit/sdk/test_pickling_host.py fails loudly
if they change.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._deletes_in_flight import after_running_delete, delete_finished, delete_started

DEFAULT_HOST_WORKERS = 128
"""Worker threads after raising (override with `$PROVISIONING_PROVIDER_WORKERS`)."""

_log = logging.getLogger("provisioning.host")
_lock = threading.Lock()
_raised = False


def in_dynamic_host() -> bool:
    """True inside the `python -m pulumi.dynamic` host process."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return getattr(spec, "name", None) in {"pulumi.dynamic.__main__", "pulumi.dynamic"}


def _host_main_locals() -> dict[str, Any]:
    """The local variables of the host's `main()` (its gRPC `server` and `monitor`), or {} outside it."""
    frame = sys._current_frames().get(threading.main_thread().ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "main" and "server" in frame.f_locals:
            return dict(frame.f_locals)
        frame = frame.f_back
    return {}


def _from_main_frame() -> ThreadPoolExecutor | None:
    """The executor of the gRPC server held in the host's `main()` frame (`server._state.thread_pool`)."""
    state = getattr(_host_main_locals().get("server"), "_state", None)
    pool = getattr(state, "thread_pool", None)
    return pool if isinstance(pool, ThreadPoolExecutor) else None


def _from_current_thread() -> ThreadPoolExecutor | None:
    """The executor whose worker threads include the calling thread."""
    me = threading.current_thread()
    for obj in gc.get_objects():
        if isinstance(obj, ThreadPoolExecutor) and me in getattr(obj, "_threads", ()):
            return obj
    return None


def find_host_executor() -> ThreadPoolExecutor | None:
    """The host's gRPC executor, or None outside the host."""
    return _from_main_frame() or _from_current_thread()


def raise_host_workers(workers: int | None = None) -> int | None:
    """Raise the host executor's `_max_workers` to `workers` (once per process); return the new limit.

    Takes effect on the executor's next submit (it spawns threads up to `_max_workers`). Returns None when
    no host executor is found (e.g. in unit tests under mocks)."""
    global _raised
    with _lock:
        if _raised:
            pool = find_host_executor()
            return None if pool is None else pool._max_workers
        target = workers or int(os.environ.get("PROVISIONING_PROVIDER_WORKERS", DEFAULT_HOST_WORKERS))
        pool = find_host_executor()
        if pool is None:
            return None
        if pool._max_workers < target:
            pool._max_workers = target
            _log.info("dynamic host executor raised to %d workers", target)
        _raised = True
        return pool._max_workers


# -- pulumi#16175: Read without `__provider` (import) -----------------------------------------------------

PROVIDER_KEY = "__provider"
"""The property under which pulumi's dynamic resources carry their serialized provider."""

PROVIDERS_BY_TYPE: dict[str, Callable[[], Any]] = {}
"""Provider factories by dynamic resource type (`dynamic/custom-cloud:Server`), filled by DynamicResource."""


def _type_of(urn: str) -> str:
    """`urn:pulumi:stack::project::parent$pulumi-python:dynamic/x:Y::name` → `dynamic/x:Y`."""
    parts = urn.split("::")
    qualified = parts[2] if len(parts) > 3 else ""
    return qualified.split("$")[-1].removeprefix("pulumi-python:")


def install_read_fallback() -> bool:
    """In the host, make `Read` supply a fresh serialized provider when the engine sends none (import).

    Returns True once installed. Needs this module loaded in the host before the import's Read: resources
    created with `import_` depend on a bootstrap resource for that (see `DynamicResource`)."""
    return _wrap_servicer("Read", _with_provider, without_provider_input) is not None


def _with_provider(request: Any) -> Any:
    """A copy of a ReadRequest that carries a serialized provider for its type, if it came without one."""
    if PROVIDER_KEY in request.properties.fields:
        return request
    factory = PROVIDERS_BY_TYPE.get(_type_of(request.urn))
    if factory is None:
        return request
    import base64  # noqa: PLC0415 (only in the host)

    from pulumi.dynamic.dynamic import serialize_provider  # noqa: PLC0415

    from ._pickling import pickler_restored  # noqa: PLC0415

    with pickler_restored():
        serialized = serialize_provider(factory())
    base64.b64decode(serialized)  # a valid provider string
    _log.info("read of %s without __provider: supplied one (pulumi#16175)", request.urn)
    return _with_property(request, PROVIDER_KEY, serialized)


def _with_property(request: Any, key: str, value: Any, field: str = "properties") -> Any:
    patched = type(request)()
    patched.CopyFrom(request)
    getattr(patched, field)[key] = value
    return patched


_wrapped: dict[str, int] = {}
"""gRPC methods of the host's servicer already wrapped, and how many handlers were re-pointed."""


def _wrap_servicer(
    name: str,
    rewrite: Callable[[Any], Any],
    answer: Callable[[Any, Any], Any] | None = None,
    finished: Callable[[Any], None] | None = None,
) -> int | None:
    """Make the host's servicer method `name` pass each request through `rewrite` first, and its response
    through `answer(request, response)` if given; `finished(request)` runs once the method returned or
    raised (once per process). The number of gRPC handlers re-pointed, or None outside the host."""
    if name in _wrapped:
        return _wrapped[name]
    servicer = getattr(sys.modules.get("__main__"), "DynamicResourceProviderServicer", None)
    if servicer is None:
        return None
    original = getattr(servicer, name)

    def method(self: Any, request: Any, context: Any) -> Any:
        request = rewrite(request)
        try:
            response = original(self, request, context)
        finally:
            if finished is not None:
                finished(request)
        return response if answer is None else answer(request, response)

    method.__name__ = f"{name.lower()}_rewritten"
    setattr(servicer, name, method)
    _wrapped[name] = _patch_grpc_handlers(method, name)
    return _wrapped[name]


# -- the URN for ownership labels: the host's Create gets `request.urn` but never passes it on -----------


def with_urn(request: Any) -> Any:
    """A copy of a CreateRequest whose properties also hold the URN under `URN_KEY` (`__urn`)."""
    from .ownership import URN_KEY  # noqa: PLC0415

    if not request.urn or URN_KEY in request.properties.fields:
        return request
    return _with_property(request, URN_KEY, request.urn)


def install_create_urn() -> bool:
    """In the host, make `Create` pass the resource URN to the provider (`props["__urn"]`), so creates can
    stamp an ownership label (`sdk/ownership.py`); the serialized provider its Check took out of the inputs
    goes back in first (see `install_provider_in_outputs_only`). A Create also waits for a running Delete
    of the same resource, which Delete records (see `_deletes_in_flight.py`). Returns True once
    installed."""
    _wrap_servicer("Delete", delete_started, finished=delete_finished)
    created = _wrap_servicer(
        "Create", lambda r: with_urn(with_checked_provider(after_running_delete(r), "properties"))
    )
    return created is not None


def create_handlers() -> int:
    """How many gRPC Create handlers `install_create_urn` re-pointed (1 in pulumi's host)."""
    return _wrapped.get("Create", 0)


def _patch_grpc_handlers(method: Callable[..., Any], name: str) -> int:
    """Point the running gRPC server's `name` handlers (bound at registration) at `method`; count them."""
    main = _host_main_locals()
    monitor = main.get("monitor")
    state = getattr(main.get("server"), "_state", None)
    if state is None or monitor is None:
        return 0
    bound = method.__get__(monitor)
    tables = [getattr(state, "registered_method_handlers", {})]
    tables += [getattr(h, "_method_handlers", {}) for h in getattr(state, "generic_handlers", [])]
    count = 0
    for table in tables:
        for rpc, handler in list(table.items()):
            if rpc.endswith("/" + name) and "ResourceProvider" in rpc:
                table[rpc] = handler._replace(unary_unary=bound)
                count += 1
    return count


# -- `__provider` in the outputs only: the inputs in the state do without it ------------------------------
#
# pulumi's host returns the serialized provider with every Check's inputs and every Create's outputs, so the
# state holds it twice per resource. Only the outputs need it: they are what a fresh host gets for Delete
# and Read (destroy, refresh), and the provider in them loads this module. Create, Diff and Update of a
# resource follow its Check in the same host process, which remembers the provider by URN and gives it back;
# a refresh's Diff (read outputs against the stored inputs, no Check) takes the one in the outputs. The
# first Check or Read of a host process keeps it (that call loads this module, inside pulumi's method). Only
# providers that hold nothing secret (`serialize_as_secret_always = False`, the SDK's) are treated so: any
# other dynamic resource in the same program keeps pulumi's behaviour (its provider's secrecy comes from its
# inputs).

_checked: dict[str, Any] = {}
"""The serialized provider each of the SDK's resources' Check came with, by URN."""


def holds_no_secret(serialized: str) -> bool:
    """Whether the host's provider of this serialization declares it holds nothing secret."""
    cache = getattr(sys.modules.get("__main__"), "_PROVIDER_CACHE", None) or {}
    return getattr(cache.get(serialized), "serialize_as_secret_always", True) is False


def _serialized_in(struct: Any) -> str | None:
    value = struct.fields.get(PROVIDER_KEY)
    return value.string_value if value is not None and value.WhichOneof("kind") == "string_value" else None


def without_provider_input(request: Any, response: Any) -> Any:
    """A Check or Read response whose `inputs` no longer hold the serialized provider, if it is one of the
    SDK's (a Check's is then remembered for the resource's URN)."""
    serialized = _serialized_in(request.news if hasattr(request, "news") else request.properties)
    if serialized is None or not holds_no_secret(serialized):
        return response
    if hasattr(request, "news") and request.urn:
        _checked[request.urn] = serialized
    if PROVIDER_KEY in response.inputs.fields:
        del response.inputs.fields[PROVIDER_KEY]
    return response


def with_checked_provider(request: Any, field: str) -> Any:
    """A copy of a Create (`properties`), Diff or Update (`news`) request with a serialized provider, if it
    lacks one: the one its resource's Check came with, else (a refresh diffs the read outputs against the
    stored inputs without a Check) the one in its `olds`, the outputs it is compared with."""
    if PROVIDER_KEY in getattr(request, field).fields:
        return request
    value = _checked.get(request.urn)
    if value is None and field == "news" and PROVIDER_KEY in request.olds.fields:
        value = request.olds[PROVIDER_KEY]
    return request if value is None else _with_property(request, PROVIDER_KEY, value, field)


def install_provider_in_outputs_only() -> bool:
    """In the host, keep the SDK's serialized providers out of the inputs that Check and Read answer (the
    state's inputs), and give them back to Create, Diff and Update; Diff also names the inputs that
    changed (see `record_diff_keys`). Returns True once installed."""
    installed = _wrap_servicer("Check", lambda r: r, without_provider_input) is not None
    _wrap_servicer("Diff", lambda r: with_checked_provider(r, "news"), with_diff_keys)
    _wrap_servicer("Update", lambda r: with_checked_provider(r, "news"))
    return installed


# -- the keys a Diff names: pulumi's host answers none, so the engine lists every input key that differs ---
#
# The engine shows `[diff: …]` from the provider's `diffs`, else from the old and new inputs. The SDK's
# checked inputs of an in-place update also hold the outputs it keeps (so the preview shows them known):
# without `diffs` they would show as added inputs. The provider's `diff` records the inputs it compared as
# changed, on its thread; the host's Diff answers them.

_diff_keys = threading.local()


def record_diff_keys(keys: list[str]) -> None:
    """Remember the inputs this thread's Diff found changed, for the host's answer."""
    _diff_keys.keys = list(keys)


def with_diff_keys(_request: Any, response: Any) -> Any:
    """The Diff response naming the changed inputs its provider recorded (none recorded: left as it is)."""
    keys = getattr(_diff_keys, "keys", None)
    _diff_keys.keys = None
    if keys is not None and not response.diffs:
        response.diffs.extend(keys)
    return response
