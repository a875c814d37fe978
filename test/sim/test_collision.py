"""Collisions: events when the body touches walls or pedestrians; clearance to obstacles tracked."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from anynav.sim.errors import ScenarioError
from anynav.sim.scenario import Scenario
from anynav.sim.world import SimWorld


def test_driving_into_a_wall_raises_one_event_and_stops_the_robot(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(walls=[{"start": [3.0, -5.0], "end": [3.0, 5.0], "thickness": 0.2}])
    front = scenario.robot.spec.length / 2
    with SimWorld(scenario) as world:
        assert world.clearance == pytest.approx(2.9 - front, abs=1e-6)
        events = []
        for _ in range(300):  # 6 s at up to 1 m/s: would be 5 m without the wall
            events += world.step(1.0, 0.0, 0.0, 0.02)
        pose = world.pose()
        assert world.min_clearance < 0.01
    assert [(e.other, e.kind) for e in events] == [("walls[0]", "obstacle")]
    assert events[0].x == pytest.approx(2.9, abs=0.02)
    assert pose.x + front < 2.95  # pushed against it, not through it


def test_no_event_when_passing_beside_an_obstacle(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(poles=[{"position": [2.0, 0.6], "radius": 0.1}])
    with SimWorld(scenario) as world:
        events = []
        for _ in range(200):
            events += world.step(1.0, 0.0, 0.0, 0.02)
        expected = 0.6 - 0.1 - scenario.robot.spec.width / 2
        assert world.min_clearance == pytest.approx(expected, abs=0.01)
    assert events == []


def test_a_pedestrian_walking_into_the_robot_is_reported(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(pedestrians=[{"path": [[0.0, -2.0], [0.0, 5.0]], "speed": 1.5}])
    with SimWorld(scenario) as world:
        start = world.pedestrian_positions()[0].copy()
        events = []
        for _ in range(150):
            events += world.step(0.0, 0.0, 0.0, 0.02)
        assert world.pedestrian_positions()[0][1] > start[1] + 4.0  # it walked along its path
    assert [(e.other, e.kind) for e in events] == [("pedestrians[0]", "pedestrian")]


def test_a_start_pose_inside_an_obstacle_is_a_scenario_error(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(parked=[{"center": [0.5, 0.0], "size": [1.0, 1.0, 1.0]}])
    with pytest.raises(ScenarioError, match=r"robot: the go2 body at the start pose .* overlaps parked\[0\]"):
        SimWorld(scenario)
