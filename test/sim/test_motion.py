"""The planar base: speed and acceleration limits, per robot, and well-formed steps."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from anynav.sim.errors import StepError
from anynav.sim.motion import VelocityLimiter
from anynav.sim.robots import ROBOTS
from anynav.sim.scenario import Scenario
from anynav.sim.world import SimWorld


@pytest.mark.parametrize("robot", sorted(ROBOTS))
def test_speed_and_acceleration_limits_hold(make_scenario: Callable[..., Scenario], robot: str) -> None:
    limits = ROBOTS[robot].limits
    dt = 0.02
    with SimWorld(make_scenario(robot={"name": robot})) as world:
        velocities = []
        for _ in range(150):  # 3 s of full-stick forward, left and turning
            world.step(10.0, 10.0, 10.0, dt)
            velocities.append(world.velocity())
    v = np.array(velocities)
    assert v[:, 0].max() <= limits.max_vx + 1e-3
    assert np.abs(v[:, 1]).max() <= limits.max_vy + 1e-3
    assert v[:, 2].max() <= limits.max_wz + 1e-3
    assert v[-1, 0] == pytest.approx(limits.max_vx, abs=0.01)  # and it does get there
    assert v[-1, 2] == pytest.approx(limits.max_wz, abs=0.01)
    linear_accel = np.hypot(np.diff(v[:, 0]), np.diff(v[:, 1])) / dt
    assert linear_accel.max() <= limits.max_accel * 1.05
    assert np.abs(np.diff(v[:, 2]) / dt).max() <= limits.max_yaw_accel * 1.05


def test_backward_speed_is_limited_and_the_base_stops_on_zero() -> None:
    limiter = VelocityLimiter(ROBOTS["go2"].limits)
    for _ in range(500):
        cmd = limiter.apply(-5.0, 0.0, 0.0, 0.01)
    assert cmd[0] == pytest.approx(ROBOTS["go2"].limits.min_vx)
    for _ in range(100):
        cmd = limiter.apply(0.0, 0.0, 0.0, 0.01)
    assert np.allclose(cmd, 0.0)


def test_steps_must_be_timestep_multiples_and_commands_finite(make_scenario: Callable[..., Scenario]) -> None:
    with SimWorld(make_scenario()) as world:
        with pytest.raises(StepError, match="multiple of the physics timestep"):
            world.step(0.1, 0.0, 0.0, 0.0123)
        with pytest.raises(StepError, match="finite"):
            world.step(math.nan, 0.0, 0.0, 0.01)
        world.step(0.1, 0.0, 0.0, 0.01)
        assert world.time == pytest.approx(0.01)


def test_heading_turns_the_direction_of_travel(make_scenario: Callable[..., Scenario]) -> None:
    """Body-frame vx drives along the heading: facing north, forward motion is +y."""
    with SimWorld(make_scenario(robot={"yaw_deg": 90.0})) as world:
        for _ in range(100):
            world.step(0.5, 0.0, 0.0, 0.02)
        pose = world.pose()
    assert pose.y > 0.7 and abs(pose.x) < 1e-3 and pose.yaw == pytest.approx(math.pi / 2, abs=1e-6)


def test_time_ns_counts_physics_steps_exactly(make_scenario: Callable[..., Scenario]) -> None:
    with SimWorld(make_scenario()) as world:
        for _ in range(1000):
            world.step(0.0, 0.0, 0.0, 0.01)
        assert world.time_ns == 10_000_000_000
        assert world.time == pytest.approx(10.0)
