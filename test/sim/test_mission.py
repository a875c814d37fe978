"""The built-in waypoint driver completes the default mission in the pure core loop; the picture is written."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from anynav.sim.driver import WaypointDriver
from anynav.sim.picture import map_size_px, write_trajectory_png
from anynav.sim.runner import run_mission
from anynav.sim.scenario import Scenario, find_scenario, load_scenario
from anynav.sim.sensors import GpsFix
from anynav.sim.world import CollisionEvent


def test_driver_reaches_every_open_field_waypoint_and_the_png_shows_it(tmp_path: Path) -> None:
    scenario = load_scenario(find_scenario("open_field"))
    result = run_mission(scenario)
    summary = result.summary
    assert summary.waypoints_reached == summary.waypoints_total == 3
    assert summary.success and summary.collisions == ()
    assert summary.duration_s < scenario.mission.timeout_s
    # At least the straight-line distance through the waypoints, and not wildly more.
    stops = [(scenario.robot.x, scenario.robot.y), *scenario.waypoints_enu()]
    straight = sum(math.dist(a, b) for a, b in itertools.pairwise(stops))
    assert straight - 2 * scenario.mission.arrival_radius < summary.path_length_m < 1.3 * straight
    assert summary.min_clearance_m > 0.5
    final = result.trajectory[-1, :2]
    assert math.dist(final, stops[-1]) <= scenario.mission.arrival_radius

    png = write_trajectory_png(tmp_path / "run.png", scenario, result.trajectory, pixels_per_metre=5.0)
    image = cv2.imread(str(png))
    assert image is not None
    assert (image.shape[1], image.shape[0]) == map_size_px(scenario, 5.0) == (80 * 5 + 80, 80 * 5 + 80)
    trajectory_bgr = np.array([160, 30, 200])  # the magenta of picture._TRAJECTORY
    assert (np.abs(image.astype(int) - trajectory_bgr).sum(axis=2) < 30).sum() > 200  # the path is drawn


def test_png_marks_collisions(tmp_path: Path, make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(walls=[{"start": [3.0, -2.0], "end": [3.0, 2.0]}])
    event = CollisionEvent(time_s=1.0, other="walls[0]", kind="obstacle", x=2.9, y=0.0)
    png = write_trajectory_png(
        tmp_path / "hit.png", scenario, np.array([[0.0, 0.0, 0.0], [2.5, 0.0, 0.0]]), [event], pixels_per_metre=10.0
    )
    image = cv2.imread(str(png)).astype(int)
    red = (image[..., 2] > 200) & (image[..., 1] < 40) & (image[..., 0] < 40)
    rows, cols = np.nonzero(red)
    # 40 px margin, x_min = -20 m, y_max = 20 m, 10 px/m: the mark is drawn around (269, 240).
    assert abs(cols.mean() - 269) < 3 and abs(rows.mean() - 240) < 3


def _fix(lat: float, lon: float, status: int = 0) -> GpsFix:
    return GpsFix(lat, lon, 450.0, status, (0.0,) * 9)


def test_driver_fails_closed_without_a_usable_fix(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario()
    waypoint = scenario.mission.waypoints[0]
    driver = WaypointDriver([(waypoint.latitude, waypoint.longitude)], scenario.datum, 2.0)
    assert driver.command(0.0, 0.0) == (0.0, 0.0, 0.0)  # no fix yet
    driver.on_gps(_fix(47.4, 8.54, status=-1), 0.0)
    assert driver.command(0.0, 0.0) == (0.0, 0.0, 0.0)  # NO_FIX is ignored
    driver.on_gps(_fix(47.4, 8.54), 0.0)
    _, vy, wz = driver.command(0.1, 0.0)
    assert vy == 0.0 and wz > 0.0  # waypoint is north, robot faces east: turn left
    assert driver.command(5.0, 0.0) == (0.0, 0.0, 0.0)  # fix went stale


def test_driver_moves_on_inside_the_arrival_circle(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario()
    waypoint = scenario.mission.waypoints[0]
    driver = WaypointDriver([(waypoint.latitude, waypoint.longitude)], scenario.datum, 2.0)
    driver.on_gps(_fix(waypoint.latitude, waypoint.longitude), 0.0)
    assert driver.done and driver.command(0.0, 0.0) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("name", ["street", "plaza"])
def test_other_scenarios_run_to_the_end(name: str) -> None:
    summary = run_mission(load_scenario(find_scenario(name))).summary
    assert summary.waypoints_reached == 3
