"""The mission node over real DDS: no goal without an adequate fix, goals in base_link, arrival, commands, the route."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anynav.mission import GeoPoint, LocalDatum, Mission, Waypoint, load_mission, save_mission
from anynav.mission.node import MissionNode
from anynav.msgs.navigation import quaternion_from_yaw, quaternion_msg
from anynav.msgs.time import header
from anynav.ros import QOS_LATCHED, new_message
from graph_probe import Graph, graph_fixture  # noqa: F401  (the `graph` fixture)

DATUM = GeoPoint(47.4, 8.54)
LOCAL = LocalDatum(DATUM)
ROUTE_ENU = [(10.0, 0.0), (10.0, 10.0)]
FAST = {"rate_hz": 20.0, "status_rate_hz": 10.0}


@pytest.fixture
def mission_file(tmp_path: Path) -> Path:
    waypoints = tuple(Waypoint(*LOCAL.to_geo(east, north), name=f"wp{i}") for i, (east, north) in enumerate(ROUTE_ENU))
    path = tmp_path / "route.yaml"
    save_mission(Mission(waypoints, DATUM), path)
    return path


def fix_at(east: float, north: float, status: int = 0, std_m: float = 0.5) -> Any:
    """A NavSatFix at ENU (east, north) around the datum, stamped when published."""
    latitude, longitude = LOCAL.to_geo(east, north)
    return lambda stamp_ns: _fix(stamp_ns, latitude, longitude, status, std_m)


def _fix(stamp_ns: int, latitude: float, longitude: float, status: int, std_m: float) -> Any:
    return new_message(
        "sensor_msgs/msg/NavSatFix",
        header=header("gps_link", stamp_ns),
        status=new_message("sensor_msgs/msg/NavSatStatus", status=status, service=1),
        latitude=latitude,
        longitude=longitude,
        altitude=450.0,
        position_covariance=np.diag([std_m**2, std_m**2, 4 * std_m**2]).reshape(9),
        position_covariance_type=2,
    )


def no_fix() -> Any:
    return lambda stamp_ns: _fix(stamp_ns, math.nan, math.nan, -1, 1.0)


def imu(yaw_enu: float) -> Any:
    orientation = quaternion_msg(quaternion_from_yaw(yaw_enu))
    return lambda stamp_ns: new_message(
        "sensor_msgs/msg/Imu", header=header("imu_link", stamp_ns), orientation=orientation
    )


class MissionUnderTest:
    """The mission node with the probe's publishers and recorders."""

    def __init__(self, graph: Graph, **params: Any) -> None:
        self.graph = graph
        self.node = graph.add(MissionNode, **{**FAST, **params})
        self.goals = graph.listen("geometry_msgs/msg/PoseStamped", "/mission/goal")
        self.statuses = graph.listen("std_msgs/msg/String", "/mission/status")
        self.fix = graph.publisher("sensor_msgs/msg/NavSatFix", "/gps/fix")
        self.imu = graph.publisher("sensor_msgs/msg/Imu", "/imu/data")
        self.command = graph.publisher("std_msgs/msg/String", "/mission/command")
        graph.connect(self.fix, self.imu, self.command)

    def feed(self, fix: Any, yaw: float | None, seconds: float) -> None:
        messages = [(self.fix, fix)] + ([(self.imu, imu(yaw))] if yaw is not None else [])
        self.graph.publish_for(messages, seconds, 20.0)

    def send(self, text: str) -> dict[str, Any]:
        """Send a command; the first status published after it that reports it."""
        seen = max(((s["last_command"] or {}).get("seq", 0) for s in self.status_dicts()), default=0)
        self.command.publish(new_message("std_msgs/msg/String", data=text))

        def reply() -> dict[str, Any] | None:
            fresh = (s for s in self.status_dicts() if (s["last_command"] or {}).get("seq", 0) > seen)
            return next((s for s in fresh if s["last_command"]["command"] == text), None)

        assert self.graph.spin_until(lambda: reply() is not None, 5.0)
        answer = reply()
        assert answer is not None
        return answer

    def status_dicts(self) -> list[dict[str, Any]]:
        return [json.loads(m.data) for m in self.statuses]


def test_no_fix_or_nan_fix_never_gives_a_goal(graph: Graph, mission_file: Path) -> None:
    mission = MissionUnderTest(graph, mission_file=str(mission_file), auto_start=True)
    mission.feed(no_fix(), 0.0, 0.4)
    reply = mission.send("start")
    assert not reply["last_command"]["ok"] and "no fix" in reply["last_command"]["message"]
    assert reply["state"] == "idle"
    # Status FIX with a NaN position (a broken driver) is no better.
    nan_fix = lambda stamp_ns: _fix(stamp_ns, math.nan, math.nan, 0, 1.0)  # noqa: E731
    mission.feed(nan_fix, 0.0, 0.4)
    reply = mission.send("start")
    assert not reply["last_command"]["ok"] and "not finite" in reply["last_command"]["message"]
    # A fix too inaccurate for the policy (std 10 m > 3 m) neither.
    mission.feed(fix_at(0.0, 0.0, std_m=10.0), 0.0, 0.4)
    reply = mission.send("start")
    assert not reply["last_command"]["ok"] and "std" in reply["last_command"]["message"]
    assert mission.goals == []
    assert all(s["state"] == "idle" for s in mission.status_dicts())
    # auto_start waited for an adequate fix; here it is.
    mission.feed(fix_at(0.0, 0.0), 0.0, 0.3)
    assert mission.status_dicts()[-1]["state"] == "running"
    assert mission.status_dicts()[-1]["last_command"]["command"] == "auto_start"
    assert mission.goals


def test_goal_in_base_link_switches_on_arrival_and_stops_without_fix(graph: Graph, mission_file: Path) -> None:
    mission = MissionUnderTest(graph, mission_file=str(mission_file), default_radius_m=1.0, max_heading_age_s=0.2)
    mission.feed(fix_at(0.0, 0.0), math.pi / 2, 0.3)
    assert mission.goals == []
    assert mission.send("start")["state"] == "running"
    mission.feed(fix_at(0.0, 0.0), math.pi / 2, 0.3)
    goal = mission.goals[-1]
    # Facing north at the datum, waypoint 0 lies 10 m east: 10 m to the right.
    assert goal.header.frame_id == "base_link"
    assert goal.pose.position.x == pytest.approx(0.0, abs=1e-3)
    assert goal.pose.position.y == pytest.approx(-10.0, abs=1e-3)

    mission.feed(fix_at(9.6, 0.2), 0.0, 0.3)  # inside waypoint 0's 1 m circle, now facing east
    status = mission.status_dicts()[-1]
    assert status["index"] == 1 and status["waypoint"]["name"] == "wp1"
    goal = mission.goals[-1]
    assert goal.pose.position.x == pytest.approx(0.4, abs=1e-3)
    assert goal.pose.position.y == pytest.approx(9.8, abs=1e-3)
    assert status["distance_to_go_m"] == pytest.approx(math.hypot(0.4, 9.8), abs=1e-3)

    count = len(mission.goals)
    mission.feed(no_fix(), 0.0, 0.5)
    assert len(mission.goals) <= count + 1  # one goal may have been on its way
    assert mission.status_dicts()[-1]["state"] == "running"
    assert "no fix" in mission.status_dicts()[-1]["reason"]

    mission.feed(fix_at(10.0, 5.0), 0.0, 0.2)
    heading_stopped = graph.now_ns()
    mission.feed(fix_at(10.0, 5.0), None, 0.5)  # adequate fix, but the heading stopped
    stamps = [g.header.stamp.sec * 10**9 + g.header.stamp.nanosec for g in mission.goals]
    assert max(stamps) <= heading_stopped + (0.2 + 0.06) * 1e9
    mission.feed(fix_at(10.0, 9.5), None, 0.2)
    assert mission.status_dicts()[-1]["state"] == "succeeded"


def test_pause_resume_cancel(graph: Graph, mission_file: Path) -> None:
    mission = MissionUnderTest(graph, mission_file=str(mission_file))
    mission.feed(fix_at(0.0, 0.0), 0.0, 0.2)
    assert mission.send("start")["last_command"]["ok"]
    assert mission.send("pause")["state"] == "paused"
    mission.feed(fix_at(0.0, 0.0), 0.0, 0.3)
    count = len(mission.goals)
    mission.feed(fix_at(0.0, 0.0), 0.0, 0.3)
    assert len(mission.goals) == count
    assert mission.send("resume")["state"] == "running"
    mission.feed(fix_at(0.0, 0.0), 0.0, 0.3)
    assert len(mission.goals) > count
    assert mission.send("cancel")["state"] == "cancelled"
    assert not mission.send("resume")["last_command"]["ok"]
    assert not mission.send("fly")["last_command"]["ok"]


def test_route_is_latched_in_the_map_frame(graph: Graph, mission_file: Path) -> None:
    graph.add(MissionNode, mission_file=str(mission_file))
    graph.spin(0.2)
    paths = graph.listen("nav_msgs/msg/Path", "/mission/path", QOS_LATCHED)
    assert graph.spin_until(lambda: paths, 5.0)
    route = paths[-1]
    assert route.header.frame_id == "map"
    points = [(p.pose.position.x, p.pose.position.y) for p in route.poses]
    np.testing.assert_allclose(points, ROUTE_ENU, atol=1e-6)


def test_log_fix_builds_and_saves_a_mission(graph: Graph, tmp_path: Path) -> None:
    log_file = tmp_path / "logged.gpx"
    mission = MissionUnderTest(graph, log_file=str(log_file))
    assert not mission.send("start")["last_command"]["ok"]  # nothing to run yet
    mission.feed(fix_at(3.0, 4.0), 0.0, 0.2)
    reply = mission.send("log_fix gate")
    assert reply["last_command"]["ok"] and reply["total"] == 1
    mission.feed(fix_at(13.0, 4.0), 0.0, 0.2)
    assert mission.send("log_fix")["total"] == 2
    logged = load_mission(log_file)
    assert [w.name for w in logged.waypoints] == ["gate", None]
    east, north = LOCAL.to_enu(logged.waypoints[1].latitude, logged.waypoints[1].longitude)
    assert (east, north) == pytest.approx((13.0, 4.0), abs=1e-3)


def test_phone_gpx_route_runs_as_is(graph: Graph, phone_gpx: Path) -> None:
    graph.add(MissionNode, mission_file=str(phone_gpx), **FAST)
    paths = graph.listen("nav_msgs/msg/Path", "/mission/path", QOS_LATCHED)
    statuses = graph.listen("std_msgs/msg/String", "/mission/status")
    assert graph.spin_until(lambda: paths and statuses, 5.0)
    assert len(paths[-1].poses) == 5  # the route's waypoints, the first one being the datum
    status = json.loads(statuses[-1].data)
    assert status["total"] == 5 and status["waypoint"]["name"] == "Gate" and status["state"] == "idle"
