"""Baseline policy: straight to the goal in the open, around a wall of LiDAR points, stays when boxed in."""

from __future__ import annotations

import math

import numpy as np
import pytest

from anynav.policy.baseline import BaselineConfig, BaselinePolicy
from anynav.policy.errors import PolicyConfigError, PolicyInputError


def wall(x: float, y_from: float, y_to: float, z: float = 0.5) -> np.ndarray:
    ys = np.arange(y_from, y_to + 1e-9, 0.05)
    return np.stack([np.full_like(ys, x), ys, np.full_like(ys, z)], axis=1)


def to_base_link(pose: np.ndarray, world_xy: np.ndarray) -> np.ndarray:
    c, s = math.cos(pose[2]), math.sin(pose[2])
    return (world_xy - pose[:2]) @ np.array([[c, -s], [s, c]])


def test_open_space_goes_straight_at_the_goal() -> None:
    config = BaselineConfig(num_waypoints=4, waypoint_spacing_m=0.5)
    waypoints = BaselinePolicy(config).plan((3.0, 4.0))
    bearing = math.atan2(4.0, 3.0)
    assert waypoints.shape == (4, 2)
    np.testing.assert_allclose(np.linalg.norm(waypoints, axis=1), [0.5, 1.0, 1.5, 2.0], atol=1e-9)
    assert np.arctan2(waypoints[:, 1], waypoints[:, 0]) == pytest.approx(np.full(4, bearing), abs=math.pi / 180)


def test_waypoints_stop_at_the_goal() -> None:
    waypoints = BaselinePolicy(BaselineConfig(num_waypoints=5, waypoint_spacing_m=0.5)).plan((1.2, 0.0))
    np.testing.assert_allclose(waypoints[:, 0], [0.5, 1.0, 1.2, 1.2, 1.2], atol=1e-9)


@pytest.mark.parametrize("goal_y", [0.0, 0.4, -0.3])
def test_goes_around_a_wall_toward_the_goal(goal_y: float) -> None:
    config = BaselineConfig(robot_radius_m=0.3, safety_margin_m=0.2, waypoint_spacing_m=0.25)
    policy = BaselinePolicy(config)
    obstacle = wall(2.0, -1.5, 1.5)
    goal = np.array([6.0, goal_y])
    pose = np.zeros(3)
    track = [pose[:2].copy()]
    for _ in range(100):
        points = np.column_stack([to_base_link(pose, obstacle[:, :2]), obstacle[:, 2]])
        waypoints = policy.plan(tuple(to_base_link(pose, goal)), points)
        if not waypoints.any():
            break
        step = waypoints[1]  # move to the second waypoint, facing along the step
        c, s = math.cos(pose[2]), math.sin(pose[2])
        pose[:2] += np.array([[c, -s], [s, c]]) @ step
        pose[2] += math.atan2(step[1], step[0])
        track.append(pose[:2].copy())
    path = np.array(track)
    clearance = np.linalg.norm(path[:, None, :] - obstacle[None, :, :2], axis=2).min()
    assert np.linalg.norm(path[-1] - goal) <= config.goal_tolerance_m
    assert clearance >= config.robot_radius_m + config.safety_margin_m - 1e-6
    assert np.abs(path[:, 1]).max() > 1.5  # it went past an end of the wall, not through it


def test_goal_behind_turns_toward_it() -> None:
    waypoints = BaselinePolicy().plan((-2.0, 0.5))
    assert waypoints[0, 0] < 0.0 and waypoints[0, 1] > 0.0


def test_boxed_in_or_arrived_means_stay() -> None:
    angles = np.linspace(-math.pi, math.pi, 200, endpoint=False)
    ring = np.stack([0.55 * np.cos(angles), 0.55 * np.sin(angles), np.full(200, 0.5)], axis=1)
    policy = BaselinePolicy()
    assert not policy.plan((5.0, 0.0), ring).any()
    assert not policy.plan((0.2, 0.1)).any()


def test_points_outside_the_height_band_are_not_obstacles() -> None:
    policy = BaselinePolicy(BaselineConfig(obstacle_min_z=0.1, obstacle_max_z=1.5))
    ground_and_ceiling = np.vstack([wall(1.0, -2.0, 2.0, z=0.0), wall(1.0, -2.0, 2.0, z=2.0)])
    np.testing.assert_allclose(policy.plan((3.0, 0.0), ground_and_ceiling), policy.plan((3.0, 0.0)))
    assert policy.plan((3.0, 0.0), wall(1.0, -2.0, 2.0, z=0.5))[0, 1] != 0.0


def test_free_distance_matches_the_disc_geometry() -> None:
    policy = BaselinePolicy(BaselineConfig(num_headings=8, robot_radius_m=0.3, safety_margin_m=0.2))
    free = policy.free_distances(np.array([[2.0, 0.3]]))
    straight_ahead = 4  # headings run from -pi in steps of pi/4
    assert free[straight_ahead] == pytest.approx(2.0 - math.sqrt(0.5**2 - 0.3**2))
    assert np.isinf(free[straight_ahead + 2])  # to the left, the point is beside the path


def test_bad_inputs_and_config_are_errors() -> None:
    policy = BaselinePolicy()
    with pytest.raises(PolicyInputError, match="goal must be two finite numbers"):
        policy.plan((math.nan, 1.0))
    with pytest.raises(PolicyInputError, match=r"obstacle points must be \(N, 3\)"):
        policy.plan((1.0, 1.0), np.zeros((4, 2)))
    with pytest.raises(PolicyConfigError, match=r"num_waypoints=0 must be an integer in \[1, 32\]"):
        BaselineConfig(num_waypoints=0)
    with pytest.raises(PolicyConfigError, match="obstacle_min_z=1.0 must be finite and below obstacle_max_z=0.5"):
        BaselineConfig(obstacle_min_z=1.0, obstacle_max_z=0.5)
