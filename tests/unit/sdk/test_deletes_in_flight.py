"""A Create of a resource whose Delete still runs in the host waits for it (sdk/_deletes_in_flight.py)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from provisioning.sdk import _deletes_in_flight as in_flight

URN = "urn:pulumi:test::p::pulumi-python:dynamic/custom-cloud:VolumeAttachment::data-on-app"


def _request(urn: str = URN) -> SimpleNamespace:
    return SimpleNamespace(urn=urn)


def test_a_create_waits_until_the_delete_of_its_resource_returned() -> None:
    in_flight.delete_started(_request())
    finished_at: list[float] = []
    created_at: list[float] = []

    def create() -> None:
        in_flight.after_running_delete(_request())
        created_at.append(time.monotonic())

    creating = threading.Thread(target=create)
    creating.start()
    time.sleep(0.3)
    assert not created_at, "the create went ahead while the delete still ran"
    finished_at.append(time.monotonic())
    in_flight.delete_finished(_request())
    creating.join(timeout=5)
    assert created_at and created_at[0] >= finished_at[0] + in_flight.SETTLE
    assert not in_flight.deleting(URN)


def test_a_create_of_another_resource_does_not_wait() -> None:
    in_flight.delete_started(_request())
    try:
        started = time.monotonic()
        in_flight.after_running_delete(_request(URN.replace("data-on-app", "logs-on-app")))
        assert time.monotonic() - started < in_flight.SETTLE
    finally:
        in_flight.delete_finished(_request())


def test_two_deletes_of_one_resource_both_finish_before_the_create() -> None:
    in_flight.delete_started(_request())
    in_flight.delete_started(_request())
    in_flight.delete_finished(_request())
    assert in_flight.deleting(URN)
    in_flight.delete_finished(_request())
    assert not in_flight.deleting(URN)


def test_the_wait_has_a_limit() -> None:
    in_flight.delete_started(_request())
    try:
        started = time.monotonic()
        in_flight.after_running_delete(_request(), limit=0.2)
        assert 0.2 <= time.monotonic() - started < 2
    finally:
        in_flight.delete_finished(_request())
