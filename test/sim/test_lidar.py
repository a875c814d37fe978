"""LiDAR: ranges to known walls and boxes, pattern geometry, range limits, the robot never seen."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from anynav.sim.lidar import PATTERN_ELEVATION_DEG, scan_directions
from anynav.sim.scenario import Scenario
from anynav.sim.world import SimWorld


def test_mid360_measures_a_wall_at_its_known_distance(make_scenario: Callable[..., Scenario]) -> None:
    # Wall face at x = 5.0 - 0.1 = 4.9 m; LiDAR mounted at base_link x = 0, 0.2 m up.
    scenario = make_scenario(
        walls=[{"start": [5.0, -10.0], "end": [5.0, 10.0], "height": 3.0, "thickness": 0.2}],
        sensors={"lidar": {"pattern": "mid360", "points_per_sweep": 4000, "mount": {"xyz": [0.0, 0.0, 0.2]}}},
    )
    with SimWorld(scenario) as world:
        points = world.scan_lidar()
        assert world.lidar_frame_id == "livox_frame"
    assert points.dtype == np.float32 and points.shape[1] == 3
    lidar_height = scenario.robot.spec.base_height + 0.2
    on_wall = points[(points[:, 0] > 1.0) & (points[:, 2] > -lidar_height + 0.05)]
    assert len(on_wall) > 200
    np.testing.assert_allclose(on_wall[:, 0], 4.9, atol=2e-3)
    elevation = np.degrees(np.arctan2(points[:, 2], np.hypot(points[:, 0], points[:, 1])))
    assert elevation.min() >= -7.0 - 1e-3 and elevation.max() <= 52.0 + 1e-3


def test_l1_sees_the_ground_and_a_box_below_the_sensor(make_scenario: Callable[..., Scenario]) -> None:
    # Box face at x = 3.0 - 0.5 = 2.5 m; the Go2's L1 sits at x = 0.28 m, 0.25 m above ground.
    scenario = make_scenario(
        parked=[{"center": [3.0, 0.0], "size": [1.0, 1.0, 1.0]}],
        sensors={"lidar": {"pattern": "l1", "points_per_sweep": 4000}},
    )
    mount = scenario.robot.spec.lidar_mount.xyz
    height = scenario.robot.spec.base_height + mount[2]
    with SimWorld(scenario) as world:
        points = world.scan_lidar()
        assert world.lidar_frame_id == "utlidar_lidar"
    assert np.all(points[:, 2] <= 1e-6)  # a downward hemisphere
    box_face = 2.5 - mount[0]
    ground = points[(points[:, 0] < box_face - 0.01) | (np.abs(points[:, 1]) > 0.51)]
    assert len(ground) > 3000  # the ground plane is hit all around, not only near the box
    np.testing.assert_allclose(ground[:, 2], -height, atol=1e-4)
    on_box = points[(np.abs(points[:, 1]) < 0.45) & (points[:, 2] > -height + 0.02)]
    assert len(on_box) > 5
    np.testing.assert_allclose(on_box[:, 0], box_face, atol=2e-3)


def test_the_robot_body_is_invisible_to_its_own_lidar(make_scenario: Callable[..., Scenario]) -> None:
    # The L1 sits inside the Go2's body box: without exclusion every ray would stop on it.
    scenario = make_scenario(sensors={"lidar": {"pattern": "l1", "points_per_sweep": 3000}})
    spec = scenario.robot.spec
    with SimWorld(scenario) as world:
        points = world.scan_lidar().astype(np.float64) + spec.lidar_mount.xyz  # in base_link
    inside = (
        (np.abs(points[:, 0]) < spec.length / 2)
        & (np.abs(points[:, 1]) < spec.width / 2)
        & (points[:, 2] > spec.body_bottom - spec.base_height + 1e-3)
    )
    under_body = (np.abs(points[:, 0]) < spec.length / 2) & (np.abs(points[:, 1]) < spec.width / 2)
    assert under_body.sum() > 100  # rays pass through the body down to the ground beneath it
    assert not inside.any()


def test_range_limits_drop_returns(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(
        sensors={"lidar": {"pattern": "mid360", "points_per_sweep": 3000, "min_range": 1.0, "max_range": 4.0}}
    )
    with SimWorld(scenario) as world:
        points = world.scan_lidar()
    ranges = np.linalg.norm(points, axis=1)
    assert 0 < len(points) < 3000  # rays into the sky or beyond 4 m return nothing
    assert ranges.min() >= 1.0 - 1e-5 and ranges.max() <= 4.0 + 1e-5


@pytest.mark.parametrize("pattern", ["l1", "mid360"])
def test_patterns_cover_their_band_and_change_every_sweep(pattern: str) -> None:
    first, second = scan_directions(pattern, 2000, 0), scan_directions(pattern, 2000, 1)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-12)
    low, high = PATTERN_ELEVATION_DEG[pattern]
    elevation = np.degrees(np.arcsin(first[:, 2]))
    assert elevation.min() >= low - 1e-9 and elevation.max() <= high + 1e-9
    assert elevation.min() < low + 2.0 and elevation.max() > high - 2.0
    azimuth = np.degrees(np.arctan2(first[:, 1], first[:, 0]))
    assert np.histogram(azimuth, bins=8, range=(-180, 180))[0].min() > 200  # all the way around
    assert not np.allclose(first, second)
