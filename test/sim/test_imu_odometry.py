"""IMU and odometry: what a real IMU and leg odometry report, and how the odometry drifts."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from anynav.msgs.geometry import yaw_from_quaternion
from anynav.sim.scenario import Scenario
from anynav.sim.world import SimWorld


def test_imu_at_rest_reads_gravity_up_and_the_true_heading(make_scenario: Callable[..., Scenario]) -> None:
    with SimWorld(make_scenario(robot={"yaw_deg": 30.0})) as world:
        world.step(0.0, 0.0, 0.0, 0.01)
        imu = world.read_imu()
    assert imu.linear_acceleration == pytest.approx((0.0, 0.0, 9.81), abs=1e-6)
    assert imu.angular_velocity == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)
    assert imu.orientation == pytest.approx((0.0, 0.0, math.sin(math.radians(15)), math.cos(math.radians(15))))


def test_imu_reports_forward_acceleration_and_centripetal_while_turning(make_scenario: Callable[..., Scenario]) -> None:
    with SimWorld(make_scenario()) as world:
        world.step(1.0, 0.0, 0.0, 0.1)  # accelerating at the Go2's 1 m/s^2 limit
        accelerating = world.read_imu()
        for _ in range(100):
            world.step(1.0, 0.0, 0.5, 0.02)  # steady circle: v = 1 m/s, w = 0.5 rad/s
        turning = world.read_imu()
    assert accelerating.linear_acceleration[0] == pytest.approx(1.0, abs=0.02)
    assert turning.angular_velocity[2] == pytest.approx(0.5, abs=1e-6)
    # Centripetal acceleration v * w = 0.5 m/s^2 points to the centre of the turn: body +y.
    assert turning.linear_acceleration[1] == pytest.approx(0.5, abs=0.01)
    assert turning.linear_acceleration[0] == pytest.approx(0.0, abs=0.01)


def test_noise_free_odometry_matches_the_true_motion_from_the_start_pose(
    make_scenario: Callable[..., Scenario],
) -> None:
    scenario = make_scenario(robot={"x": 2.0, "y": -3.0, "yaw_deg": 90.0})
    with SimWorld(scenario) as world:
        for _ in range(200):
            world.step(0.8, 0.1, 0.3, 0.02)
        odom, pose, twist = world.read_odometry(), world.pose(), world.velocity()
    # odom starts at the start pose: rotate the true displacement into the start heading.
    dx, dy = pose.x - 2.0, pose.y + 3.0
    assert (odom.x, odom.y) == pytest.approx((dy, -dx), abs=0.02)
    assert odom.yaw == pytest.approx(math.remainder(pose.yaw - math.pi / 2, 2 * math.pi), abs=1e-3)
    assert (odom.vx, odom.vy, odom.wz) == pytest.approx(twist, abs=1e-6)
    assert yaw_from_quaternion(odom.orientation) == pytest.approx(odom.yaw)


def test_odometry_drifts_by_its_scale_error_and_yaw_bias(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(sensors={"odometry": {"scale_error": 0.1, "yaw_rate_bias": 0.02}})
    with SimWorld(scenario) as world:
        for _ in range(250):
            world.step(0.5, 0.0, 0.0, 0.02)
        odom, pose = world.read_odometry(), world.pose()
    assert math.hypot(odom.x, odom.y) == pytest.approx(1.1 * pose.x, rel=0.01)
    assert odom.yaw == pytest.approx(0.02 * 5.0, abs=1e-6)
    assert abs(pose.y) < 1e-6  # the robot itself went straight


def test_noise_is_seeded(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(sensors={"imu": {"gyro_noise_std": 0.1}, "odometry": {"velocity_noise_std": 0.05}})
    readings = []
    for _ in range(2):
        with SimWorld(scenario) as world:
            world.step(0.5, 0.0, 0.0, 0.1)
            readings.append((world.read_imu().angular_velocity, world.read_odometry().vx))
    assert readings[0] == readings[1]
    assert np.abs(readings[0][0]).max() > 0.0
