"""The sim's ground-truth mission judge, its /sim/status JSON, the command time-to-live and the pacer."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pytest

from anynav.sim.command import CommandHold
from anynav.sim.errors import StatusError
from anynav.sim.pacing import Pacer
from anynav.sim.scenario import Scenario
from anynav.sim.status import MissionMonitor, MissionStatus
from anynav.sim.world import CollisionEvent, Pose2D

# Two waypoints 10 m north and 10 m north-east of the datum (47.4, 8.54).
TWO_WAYPOINTS = {
    "waypoints": [{"latitude": 47.40008993, "longitude": 8.54}, {"latitude": 47.40008993, "longitude": 8.54013243}],
    "arrival_radius": 1.0,
    "timeout_s": 20.0,
}


@pytest.fixture
def scenario(make_scenario: Callable[..., Scenario]) -> Scenario:
    return make_scenario(mission=TWO_WAYPOINTS)


def test_waypoints_are_judged_on_the_true_pose_and_the_run_succeeds(scenario: Scenario) -> None:
    (x1, y1), (x2, y2) = scenario.waypoints_enu()
    assert np.allclose([x1, y1, x2, y2], [0.0, 10.0, 10.0, 10.0], atol=0.01)
    monitor = MissionMonitor(scenario)
    monitor.update(1.0, Pose2D(0.0, 8.5, 0.0), [], 3.0)  # 1.5 m short of the first circle
    status = monitor.status()
    assert status.state == "running" and status.reached == (False, False)
    assert status.next_waypoint == 0 and math.isclose(status.distance_to_next_m, 1.5, abs_tol=0.01)
    monitor.update(2.0, Pose2D(0.0, 9.2, 0.0), [], 2.5)
    monitor.update(3.0, Pose2D(9.5, 10.0, 0.0), [], 2.0)
    status = monitor.status(real_time_factor=3.0)
    assert status.state == "succeeded" and status.done and status.reached == (True, True)
    assert status.next_waypoint is None and status.distance_to_next_m is None
    assert math.isclose(status.path_length_m, 8.5 + 0.7 + math.hypot(9.5, 0.8), rel_tol=1e-6)
    assert status.min_clearance_m == 2.0 and status.time_s == 3.0
    monitor.update(4.0, Pose2D(30.0, 30.0, 0.0), [], 0.1)  # after the end nothing changes
    assert monitor.status().time_s == 3.0 and monitor.status().min_clearance_m == 2.0


def test_collision_fails_the_run_and_timeout_ends_an_unfinished_one(scenario: Scenario) -> None:
    hit = CollisionEvent(time_s=1.0, other="poles[0]", kind="obstacle", x=0.0, y=5.0)
    monitor = MissionMonitor(scenario)
    monitor.update(1.0, Pose2D(0.0, 10.0, 0.0), [hit], -0.01)
    monitor.update(2.0, Pose2D(10.0, 10.0, 0.0), [], 1.0)
    status = monitor.status()
    assert status.state == "failed" and status.collisions == (hit,) and not status.summary().success

    slow = MissionMonitor(scenario)
    slow.update(19.99, Pose2D(0.0, 10.0, 0.0), [], 1.0)
    assert slow.state == "running"
    slow.update(20.0, Pose2D(0.0, 10.5, 0.0), [], 1.0)
    status = slow.status()
    assert status.state == "timeout" and status.reached == (True, False)
    assert status.summary().waypoints_reached == 1 and not status.summary().success


def test_status_json_round_trips_and_reads_like_ros_tools_show_it(scenario: Scenario) -> None:
    hit = CollisionEvent(time_s=1.5, other="pedestrians[0]", kind="pedestrian", x=1.0, y=2.0)
    monitor = MissionMonitor(scenario)
    monitor.update(1.5, Pose2D(1.0, 2.0, 0.5), [hit], math.inf)
    status = monitor.status(real_time_factor=4.5, cmd_vel_rejected=3)
    data = json.loads(status.to_json())
    assert data["state"] == "running" and data["waypoints_total"] == 2 and data["waypoints_reached"] == 0
    assert data["collisions"] == 1 and data["collision_events"][0]["other"] == "pedestrians[0]"
    assert data["min_clearance"] is None and data["cmd_vel_rejected"] == 3 and data["pose"]["yaw"] == 0.5
    assert MissionStatus.from_json(status.to_json()) == status
    line = status.progress()
    assert "waypoint 1/2" in line and "collisions 1" in line and "x4.5 real time" in line


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("pose"), "pose: missing"),
        (lambda d: d["pose"].update(x="far"), "pose.x: expected a finite number"),
        (lambda d: d.update(state="lost"), "state must be one of running, succeeded, failed, timeout"),
        (lambda d: d.update(reached=[1, 0]), "reached: expected a list of true/false"),
        (lambda d: d["collision_events"].append({"time": 1.0}), r"collision_events\[0\]\.other: missing"),
    ],
)
def test_malformed_status_names_the_key(scenario: Scenario, edit: Callable[[dict], object], message: str) -> None:
    data = json.loads(MissionMonitor(scenario).status().to_json())
    edit(data)
    with pytest.raises(StatusError, match=message):
        MissionStatus.from_json(json.dumps(data))
    with pytest.raises(StatusError, match="not JSON"):
        MissionStatus.from_json("{")


def test_command_hold_zeroes_a_stale_command() -> None:
    hold = CommandHold(ttl_s=0.5)
    assert hold.current(0.0) == (0.0, 0.0, 0.0) and hold.stale(0.0)
    hold.set((0.4, 0.0, -0.2), 1.0)
    assert hold.current(1.5) == (0.4, 0.0, -0.2)
    assert hold.current(1.51) == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="finite"):
        hold.set((math.nan, 0.0, 0.0), 2.0)
    assert hold.current(1.2) == (0.4, 0.0, -0.2)  # the refused command changed nothing
    with pytest.raises(ValueError, match="ttl_s"):
        CommandHold(0.0)


def test_pacer_tracks_the_factor_and_gives_way_when_behind() -> None:
    pacer = Pacer(real_time_factor=4.0, step_s=0.01, max_lag_s=0.5)
    pacer.start(wall_s=100.0, sim_s=0.0)
    assert pacer.steps_due(100.0, 0.0) == 0
    assert pacer.steps_due(100.01, 0.0) == 4  # 10 ms of wall time is 40 ms of sim time
    assert pacer.steps_due(100.01, 0.04) == 0
    assert pacer.achieved_factor(100.01, 0.04) == pytest.approx(4.0)
    # Stalled for a second of wall time: at most max_lag_s is made up, the rest is given up.
    assert pacer.steps_due(101.01, 0.04) == 50 and pacer.rebases == 1
    assert pacer.steps_due(101.02, 0.54) == 4
    with pytest.raises(ValueError, match="real_time_factor"):
        Pacer(0.0, 0.01)
