"""The auto-scaling decision: proportional to CPU over the threshold, within min and max, with a dead band."""

from __future__ import annotations

import pytest

from provisioning.sdk.scaling import AutoScaling, decide

POLICY = AutoScaling(enabled=True, min_replicas=2, max_replicas=10, cpu_threshold=70)


@pytest.mark.parametrize(
    ("current", "cpu", "desired"),
    [
        (2, 140.0, 4),  # twice the threshold: twice the servers
        (2, 95.0, 3),  # ceil(2 x 95 / 70) = 3
        (5, 700.0, 10),  # capped at max
        (4, 0.5, 2),  # no load: down to min
        (4, 35.0, 2),  # half the threshold: half the servers
        (3, 72.0, 3),  # within 10% of the threshold: unchanged
        (1, 50.0, 2),  # below min (a scale by hand): back to min
        (12, 50.0, 10),  # above max: back to max
    ],
)
def test_the_desired_replicas(current: int, cpu: float, desired: int) -> None:
    decision = decide(current, cpu, POLICY)
    assert decision.desired == desired
    assert decision.changes == (desired != current)


def test_a_decision_says_why() -> None:
    assert str(decide(2, 140.0, POLICY)) == (
        "scale out 2 -> 4 replicas: cpu 140.0% against threshold 70%; within min 2 .. max 10"
    )
    assert str(decide(4, 0.0, POLICY)).startswith("scale in 4 -> 2 replicas: cpu 0.0%")
    assert str(decide(10, 300.0, POLICY)) == (
        "keep 10 replicas: cpu 300.0% against threshold 70%; already at max (10)"
    )


def test_no_samples_change_nothing() -> None:
    decision = decide(3, None, POLICY)
    assert not decision.changes and "no CPU samples" in decision.reason


def test_settings_from_a_recorded_tier() -> None:
    section = {"replicas": 5, "auto_scaling": {"enabled": True, "min_replicas": 2, "max_replicas": 6}}
    assert AutoScaling.from_config(section) == AutoScaling(True, 2, 6, 70.0)
    assert not AutoScaling.from_config({"replicas": 1}).enabled
