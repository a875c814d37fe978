"""`velocity` mode: clamping, per-axis acceleration limits, and TTL → stop within one send period."""

from __future__ import annotations

import numpy as np
import pytest
from locomotion_helpers import MS, SECOND

from anynav.locomotion.errors import ControllerConfigError
from anynav.locomotion.state import VelocityCommand
from anynav.locomotion.velocity import VelocityLimits, VelocityShaper

PERIOD = 20 * MS
LIMITS = VelocityLimits(vx_range=(-0.3, 0.8), vy_max=0.3, wz_max=1.0, accel=(1.0, 0.5, 2.0), command_ttl_s=0.5)


def test_clamps_and_ramps_at_the_acceleration_limit() -> None:
    shaper = VelocityShaper(LIMITS)
    outputs = [shaper.update(k * PERIOD, VelocityCommand(2.0, -1.0, 3.0, k * PERIOD)) for k in range(80)]
    velocity = np.array([(o.vx, o.vy, o.wz) for o in outputs])
    assert not any(o.stop for o in outputs)
    np.testing.assert_allclose(velocity[0], 0.0)  # the first update has no elapsed time
    steps = np.abs(np.diff(velocity, axis=0))
    assert (steps <= np.array([1.0, 0.5, 2.0]) * 0.02 + 1e-12).all()
    np.testing.assert_allclose(velocity[10], (0.2, -0.1, 0.4), atol=1e-12)
    np.testing.assert_allclose(velocity[-1], (0.8, -0.3, 1.0), atol=1e-12)  # clamped targets reached


def test_stale_missing_or_non_finite_commands_stop_at_once() -> None:
    shaper = VelocityShaper(LIMITS)
    sent = 1 * SECOND
    for k in range(60):
        now = sent + k * PERIOD
        out = shaper.update(now, VelocityCommand(0.5, 0.0, 0.0, sent))
        if now - sent <= 500 * MS:
            assert not out.stop and (k == 0 or out.vx > 0)
        else:  # first send after the TTL expired (≤ one period late) and every one after
            assert out.stop and (out.vx, out.vy, out.wz) == (0.0, 0.0, 0.0) and "ttl" in out.reason
    assert shaper.update(0, None).stop
    assert shaper.update(0, VelocityCommand(float("nan"), 0.0, 0.0, 0)).reason == "velocity command has NaN/inf"


def test_after_a_stop_the_robot_ramps_from_standstill_and_late_ticks_are_capped() -> None:
    shaper = VelocityShaper(LIMITS)
    shaper.update(0, None)
    assert shaper.update(PERIOD, VelocityCommand(0.8, 0.0, 0.0, PERIOD)).vx == pytest.approx(0.02)
    late = shaper.update(PERIOD + 2 * SECOND, VelocityCommand(0.8, 0.0, 0.0, PERIOD + 2 * SECOND))
    assert late.vx == pytest.approx(0.02 + 0.1)  # a 2 s gap counts as 0.1 s of acceleration


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vx_range": (0.2, 1.0)}, "vx_range"),
        ({"vy_max": -0.1}, "vy_max"),
        ({"accel": (1.0, 0.0, 1.0)}, "accel"),
        ({"command_ttl_s": 0.0}, "command_ttl_s"),
    ],
)
def test_bad_limits_are_named(changes: dict, field: str) -> None:
    with pytest.raises(ControllerConfigError, match=field):
        VelocityLimits(**changes)
