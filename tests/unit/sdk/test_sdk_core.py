"""Errors, validation as data, backoff and waiters."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from pydantic import field_validator

import provisioning.sdk as sdk
from provisioning.sdk import (
    Backoff,
    ConfigError,
    NotFound,
    ProvisioningError,
    WaitTimeout,
    parse,
    violations,
    wait_for,
)
from provisioning.sdk.errors import InvalidState, RateLimited, ServerError, api_error_for_status
from provisioning.sdk.schemas import SchemaModel


class Sized(SchemaModel):
    labels: dict[str, str] = {}
    size: int = 20

    @field_validator("size")
    @classmethod
    def _min(cls, value: int) -> int:
        if value < 10:
            raise ValueError("size must be at least 10GB")
        return value


def test_violations_are_data_with_field_value_and_rule() -> None:
    found = violations(Sized, {"size": 5, "labels": {"a": 1}})
    by_field = {v.field: (v.value, v.rule) for v in found}
    assert by_field["size"] == (5, "size must be at least 10GB")
    assert by_field["labels.a"][0] == 1 and len(found) == 2
    assert violations(Sized, {"size": 10}) == []


def test_parse_raises_config_error_naming_field() -> None:
    with pytest.raises(ConfigError) as info:
        parse(Sized, {"size": 3})
    assert (info.value.field, info.value.value, info.value.rule) == ("size", 3, "size must be at least 10GB")
    assert isinstance(info.value, ProvisioningError)


def test_unknown_fields_are_rejected() -> None:
    assert violations(Sized, {"sise": 3})[0].field == "sise"


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [(404, "not_found", NotFound), (409, "invalid_state", InvalidState), (429, "", RateLimited),
     (503, "", ServerError), (418, "", sdk.ApiError)],
)  # fmt: skip
def test_status_mapping(status: int, code: str, cls: type) -> None:
    assert api_error_for_status(status, code) is cls


def test_api_error_message_names_method_path_status_message() -> None:
    error = NotFound(
        method="GET", path="/instances/i-1", status=404, code="not_found", message="no instance i-1"
    )
    assert str(error) == "GET /instances/i-1 failed with 404 not_found: no instance i-1"


def test_backoff_is_capped_and_jittered() -> None:
    policy = Backoff(initial=0.1, factor=2, cap=1.0, jitter=0.5)
    rng = random.Random(1)
    delays = [policy.delay(n, rng=rng) for n in range(10)]
    assert all(0 < d <= 1.0 for d in delays)
    assert max(delays[6:]) <= 1.0 and min(delays[6:]) >= 0.5
    assert len({round(d, 6) for d in delays[6:]}) > 1  # jitter


def test_wait_for_returns_when_done_and_backs_off() -> None:
    values = iter(["provisioning", "provisioning", "running"])
    slept: list[float] = []
    result = wait_for(
        lambda: next(values), lambda v: v == "running", what="x", timeout=10, sleep=slept.append
    )
    assert result == "running"
    assert len(slept) == 2 and all(d <= 3.0 for d in slept)


def test_wait_for_times_out_with_deadline() -> None:
    time = FakeTime()
    with pytest.raises(WaitTimeout) as info:
        wait_for(lambda: "provisioning", lambda v: v == "running", what="instance i-1", timeout=5,
                 clock=time.clock, sleep=time.sleep)  # fmt: skip
    assert "instance i-1" in str(info.value) and info.value.last == "provisioning"
    assert 5.0 <= time.now < 5.01  # never sleeps past the deadline


def test_wait_for_fails_fast() -> None:
    with pytest.raises(ProvisioningError, match="deleted"):
        wait_for(lambda: "deleted", lambda v: v == "running", what="i", timeout=5,
                 failed=lambda v: "deleted" if v == "deleted" else None)  # fmt: skip


def test_default_poll_schedule_is_capped_at_half_a_second() -> None:
    from provisioning.sdk.waiters import DEFAULT_BACKOFF

    delays = [DEFAULT_BACKOFF.delay(n, rng=random.Random(n)) for n in range(20)]
    assert delays[0] <= 0.1 and max(delays) <= 0.5 and min(delays[6:]) >= 0.4


class FakeTime:
    """A clock that only `sleep` moves, and the sleeps it was asked for."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


def test_wait_for_first_value_saves_the_first_request() -> None:
    time = FakeTime()
    fetched: list[int] = []

    def fetch() -> str:
        fetched.append(1)
        return "running"

    got = wait_for(fetch, lambda v: v == "running", what="x", timeout=10, first="provisioning",
                   clock=time.clock, sleep=time.sleep)  # fmt: skip
    assert got == "running" and len(fetched) == 1 and len(time.slept) == 1 and time.slept[0] <= 0.1
    assert wait_for(fetch, lambda v: v == "running", what="x", timeout=10, first="running") == "running"
    assert len(fetched) == 1  # done on the first value: no request at all


def test_pace_sends_later_waits_straight_to_the_learned_time() -> None:
    from provisioning.sdk.waiters import Pace

    pace = Pace()
    time = FakeTime()

    def ready_at(t: float) -> Callable[[], str]:
        return lambda: "running" if time.now >= t else "provisioning"

    wait_for(ready_at(2.0), lambda v: v == "running", what="x", timeout=10, pace=pace,
             clock=time.clock, sleep=time.sleep)  # fmt: skip
    first_polls = len(time.slept)
    learned = pace.expected()
    assert learned is not None and 2.0 <= learned <= 2.5 and first_polls >= 6  # along the backoff grid
    time.slept.clear()
    start = time.now = 100.0
    wait_for(ready_at(start + learned), lambda v: v == "running", what="x", timeout=10, pace=pace,
             first="provisioning", clock=time.clock, sleep=time.sleep)  # fmt: skip
    assert time.slept == [pytest.approx(learned)]  # one sleep to the learned time, one request
    assert Pace().expected() is None
    pace_once = Pace()
    wait_for(lambda: "running", lambda v: v == "running", what="x", timeout=1, pace=pace_once)
    assert pace_once.expected() is None  # ready at once teaches nothing


def test_wait_for_goes_on_through_transient_failures_of_its_polls() -> None:
    time = FakeTime()
    answers: list[object] = [
        ServerError(method="GET", path="/instances/i-1", status=503),
        RateLimited(method="GET", path="/instances/i-1", status=429),
        "provisioning",
        ServerError(method="GET", path="/instances/i-1", status=500),
        "running",
    ]

    def fetch() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    got = wait_for(fetch, lambda v: v == "running", what="x", timeout=10, clock=time.clock, sleep=time.sleep)
    assert got == "running" and not answers and len(time.slept) == 4


def _failing(error: Exception) -> Callable[[], str]:
    def fetch() -> str:
        raise error

    return fetch


def test_wait_for_raises_the_transient_failure_at_its_deadline_and_others_at_once() -> None:
    time = FakeTime()
    unavailable = ServerError(method="GET", path="/instances/i-1", status=503)
    with pytest.raises(ServerError):
        wait_for(_failing(unavailable), lambda v: v == "running", what="x", timeout=5,
                 clock=time.clock, sleep=time.sleep)  # fmt: skip
    assert 5.0 <= time.now < 5.01
    time = FakeTime()
    with pytest.raises(InvalidState):  # not transient: the first one ends the wait
        wait_for(_failing(InvalidState(method="GET", path="/x", status=409)), lambda v: v == "running",
                 what="x", timeout=5, clock=time.clock, sleep=time.sleep)  # fmt: skip
    assert time.now == 0.0
