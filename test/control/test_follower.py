"""Waypoint follower: the ViNT law, curvature-preserving clamps, acceleration limits, path time-to-live."""

from __future__ import annotations

import math

import numpy as np
import pytest

from anynav.control import ControlConfigError, Follower, FollowerConfig, PathError, Velocity

S = 1_000_000_000
# No acceleration limit in the way unless a test wants one.
FREE = {"max_linear_accel_mps2": 50.0, "max_angular_accel_rps2": 100.0}


def path_to(x: float, y: float, n: int = 5) -> np.ndarray:
    """A path whose every waypoint (so also the followed one) is (x, y)."""
    return np.tile([x, y], (n, 1))


def test_unclamped_law_reaches_the_waypoint_in_one_step() -> None:
    follower = Follower(FollowerConfig(dt_s=0.25, max_linear_mps=5.0, max_angular_rps=10.0, **FREE))
    follower.set_path(np.array([[0.01, 0.0], [0.02, 0.0], [0.1, 0.02], [0.3, 0.1]]), 0)
    out = follower.step(0)
    assert out.reason == ""
    assert out.command.vx == pytest.approx(0.1 / 0.25)
    assert out.command.wz == pytest.approx(math.atan2(0.02, 0.1) / 0.25)
    assert out.command.vy == 0.0


def test_saturation_keeps_the_curvature() -> None:
    config = FollowerConfig(max_linear_mps=0.2, max_angular_rps=0.2, **FREE)
    follower = Follower(config)
    follower.set_path(path_to(1.0, 0.5), 0)
    command = follower.step(0).command
    raw_v, raw_w = 1.0 / 0.25, math.atan2(0.5, 1.0) / 0.25
    assert command.vx / command.wz == pytest.approx(raw_v / raw_w)
    assert max(abs(command.vx) / 0.2, abs(command.wz) / 0.2) == pytest.approx(1.0)


def test_waypoint_behind_turns_in_place_unless_reverse_is_allowed() -> None:
    forward_only = Follower(FollowerConfig(**FREE))
    forward_only.set_path(path_to(-0.5, 0.2), 0)
    turn = forward_only.step(0).command
    assert turn.vx == 0.0 and turn.wz == pytest.approx(1.0)  # saturated at max_angular_rps, to the left
    reverse = Follower(FollowerConfig(allow_reverse=True, **FREE))
    reverse.set_path(path_to(-0.5, 0.2), 0)
    back = reverse.step(0).command
    assert back.vx < 0.0 and back.wz < 0.0  # backing up to a point behind-left swings the tail left
    assert back.vx / back.wz == pytest.approx((-0.5 / 0.25) / (math.atan(0.2 / -0.5) / 0.25))


def test_acceleration_is_limited_per_period() -> None:
    config = FollowerConfig(
        rate_hz=10.0, max_linear_mps=0.5, max_angular_rps=1.0, max_linear_accel_mps2=1.0, max_angular_accel_rps2=2.0
    )
    follower = Follower(config)
    speeds = []
    for tick in range(8):
        follower.set_path(path_to(1.0, 0.0), tick * S // 10)
        speeds.append(follower.step(tick * S // 10).command.vx)
    assert speeds == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5])


def test_stale_path_gives_zero_at_once() -> None:
    follower = Follower(FollowerConfig(path_ttl_s=0.5, **FREE))
    follower.set_path(path_to(1.0, 0.0), 0)
    assert follower.step(S // 2).command.vx > 0.0
    stale = follower.step(S // 2 + 1_000_000)
    assert stale.command == Velocity() and "path is 0.50 s old (path_ttl_s 0.5)" in stale.reason
    future = follower.step(-S)  # a stamp far ahead of the clock is no fresher
    assert future.command == Velocity()


def test_no_path_short_path_and_bad_path_give_zero() -> None:
    follower = Follower(FollowerConfig(**FREE))
    assert follower.step(0).reason == "no path"
    follower.set_path(np.array([[1.0, 0.0], [2.0, 0.0]]), 0)
    assert "path has 2 waypoints, waypoint_index 2 needs more" in follower.step(0).reason
    follower.set_path(path_to(1.0, 0.0), 0)
    with pytest.raises(PathError, match="non-finite"):
        follower.set_path(np.array([[1.0, 0.0], [np.nan, 0.0], [1.0, 0.0]]), 0)
    assert follower.step(0).command == Velocity()  # the bad path also dropped the good one
    with pytest.raises(PathError, match=r"got shape \(3,\)"):
        follower.set_path(np.array([1.0, 0.0, 0.0]), 0)
    follower.set_path(path_to(1.0, 0.0), 0)
    follower.clear()
    assert follower.step(0).reason == "no path"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rate_hz": 0.5}, "rate_hz=0.5 must be in [1, 100]"),
        ({"waypoint_index": -1}, "waypoint_index=-1 must be an integer in [0, 63]"),
        ({"max_linear_mps": 0.0}, "max_linear_mps=0.0 must be in (0, 5]"),
        ({"max_angular_rps": math.inf}, "max_angular_rps=inf must be in (0, 10]"),
        ({"path_ttl_s": 30.0}, "path_ttl_s=30.0 must be in (0, 10]"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ControlConfigError) as caught:
        FollowerConfig(**kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)
