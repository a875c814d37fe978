"""The mission state machine: arrival switching, progress, transitions, fixes that never give goals, logging."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from anynav.mission import (
    FixPolicy,
    GeoPoint,
    LocalDatum,
    Mission,
    MissionConfig,
    MissionConfigError,
    MissionRunner,
    MissionState,
    MissionStateError,
    NoAdequateFixError,
    Waypoint,
    WaypointTooFarError,
    heading_enu,
    load_mission,
)

FixFactory = Callable[..., Any]
ORIGIN = GeoPoint(47.3769, 8.5417)
DATUM = LocalDatum(ORIGIN)
S = 1_000_000_000


def at(east: float, north: float) -> tuple[float, float]:
    return DATUM.to_geo(east, north)


def square_mission() -> Mission:
    """(10, 0) -> (10, 10) -> (0, 10) in the datum's ENU, the second with a 4 m radius and a yaw."""
    return Mission(
        (
            Waypoint(*at(10.0, 0.0), name="A"),
            Waypoint(*at(10.0, 10.0), name="B", radius_m=4.0, yaw=math.pi),
            Waypoint(*at(0.0, 10.0), name="C"),
        ),
        datum=ORIGIN,
    )


@pytest.fixture
def fix_enu(make_fix: FixFactory) -> Callable[..., Any]:
    def build(east: float, north: float, t: float, **kwargs: Any) -> Any:
        return make_fix(*at(east, north), stamp_ns=round(t * S), **kwargs)

    return build


def test_waypoints_switch_on_arrival_until_succeeded(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission())
    runner.start(fix_enu(0, 0, 0), 0)
    path = [(5, 0), (7.5, 0), (9, 0.5), (10, 5), (10, 6.5), (5, 10), (1.5, 10.5)]
    seen = []
    for t, (east, north) in enumerate(path, start=1):
        status = runner.update(fix_enu(east, north, t), t * S)
        seen.append((status.state, status.index, status.arrived))
    assert seen == [
        (MissionState.RUNNING, 0, ()),
        (MissionState.RUNNING, 0, ()),  # 2.5 m from A: outside the default 2 m
        (MissionState.RUNNING, 1, (0,)),
        (MissionState.RUNNING, 1, ()),
        (MissionState.RUNNING, 2, (1,)),  # B's own 4 m radius
        (MissionState.RUNNING, 2, ()),
        (MissionState.SUCCEEDED, 3, (2,)),
    ]


def test_progress_and_distances(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission())
    runner.start(fix_enu(0, 0, 0), 0)
    status = runner.update(fix_enu(4, 3, 1), S)
    assert (status.index, status.total, status.current.name) == (0, 3, "A")
    assert status.robot_enu == pytest.approx((4.0, 3.0), abs=1e-6)
    assert status.goal_enu == pytest.approx((10.0, 0.0), abs=1e-6)
    assert status.distance_to_current_m == pytest.approx(math.hypot(6, 3), abs=1e-6)
    assert status.distance_remaining_m == pytest.approx(math.hypot(6, 3) + 10 + 10, abs=1e-6)


def test_goal_in_base_link_follows_heading(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission())
    runner.start(fix_enu(0, 0, 0), 0)
    facing_north = runner.update(fix_enu(10, 0.5, 1), S, heading=math.pi / 2)  # arrives at A, B is ahead
    assert facing_north.goal_base_link == pytest.approx((9.5, 0.0), abs=1e-6)
    assert facing_north.goal_yaw_base_link == pytest.approx(math.pi / 2)
    facing_east = runner.update(fix_enu(10, 0.5, 2), 2 * S, heading=0.0)
    assert facing_east.goal_base_link == pytest.approx((0.0, 9.5), abs=1e-6)  # north is to the left
    assert runner.update(fix_enu(10, 0.5, 3), 3 * S, heading=math.nan).goal_base_link is None


def test_north_zero_imu_and_clockwise_compass_give_enu_heading() -> None:
    assert heading_enu(0.0, yaw_offset=math.pi / 2) == pytest.approx(math.pi / 2)  # IMU reads 0 facing north
    assert heading_enu(math.pi / 2, yaw_offset=math.pi / 2, clockwise=True) == pytest.approx(0.0)  # compass east
    assert heading_enu(math.pi, yaw_offset=math.pi / 2, clockwise=True) == pytest.approx(-math.pi / 2)  # south


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"status": -1}, "no fix"),
        ({"std_m": 10.0}, "exceeds max_horizontal_std_m"),
        ({"latitude": math.nan}, "not finite"),
    ],
)
def test_no_goal_from_nan_or_no_fix(
    fix_enu: Callable[..., Any], make_fix: FixFactory, kwargs: dict[str, Any], reason: str
) -> None:
    runner = MissionRunner(square_mission())
    runner.start(fix_enu(0, 0, 0), 0)
    good = fix_enu(5, 0, 1)
    bad = make_fix(**({"latitude": good.latitude, "longitude": good.longitude, "stamp_ns": S} | kwargs))
    status = runner.update(bad, S, heading=0.0)
    assert status.state is MissionState.RUNNING
    assert (status.goal_enu, status.goal_base_link, status.robot_enu) == (None, None, None)
    assert reason in status.reason
    assert runner.update(None, S, heading=0.0).goal_enu is None


def test_no_arrival_from_a_bad_fix_on_the_waypoint(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission())
    runner.start(fix_enu(0, 0, 0), 0)
    status = runner.update(fix_enu(10, 0, 1, status=-1), S)
    assert (status.index, status.arrived) == (0, ())


def test_fix_lost_too_long_fails_the_mission(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission(), MissionConfig(max_fix_loss_s=5.0))
    runner.start(fix_enu(0, 0, 0), 0)
    assert runner.update(fix_enu(1, 0, 4, status=-1), 4 * S).state is MissionState.RUNNING
    status = runner.update(fix_enu(1, 0, 6, status=-1), 6 * S)
    assert status.state is MissionState.FAILED
    assert "no adequate fix for 6.0 s" in status.reason


def test_start_needs_waypoints_and_an_adequate_fix(fix_enu: Callable[..., Any]) -> None:
    with pytest.raises(MissionStateError, match="no waypoints"):
        MissionRunner(Mission()).start(fix_enu(0, 0, 0), 0)
    runner = MissionRunner(square_mission())
    with pytest.raises(NoAdequateFixError, match="cannot start: receiver reports no fix"):
        runner.start(fix_enu(0, 0, 0, status=-1), 0)
    with pytest.raises(NoAdequateFixError, match="cannot start: fix is 3.0 s old"):
        runner.start(fix_enu(0, 0, 0), 3 * S)
    assert runner.state is MissionState.IDLE


def test_pause_resume_cancel(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission())
    with pytest.raises(MissionStateError, match="cannot pause: mission is idle, not running"):
        runner.pause()
    runner.start(fix_enu(0, 0, 0), 0, first_index=1)
    runner.pause()
    paused = runner.update(fix_enu(10, 10, 1), S)
    assert (paused.state, paused.goal_enu, paused.index, paused.reason) == (
        MissionState.PAUSED,
        None,
        1,
        "paused by request",
    )
    with pytest.raises(MissionStateError, match="already paused"):
        runner.start(fix_enu(0, 0, 1), S)
    runner.resume(fix_enu(0, 0, 2), 2 * S)
    assert runner.update(fix_enu(0, 0, 2), 2 * S).goal_enu == pytest.approx((10.0, 10.0), abs=1e-6)
    runner.cancel()
    assert runner.update(fix_enu(0, 0, 3), 3 * S).state is MissionState.CANCELLED
    with pytest.raises(MissionStateError, match="cannot resume: mission is cancelled"):
        runner.resume(fix_enu(0, 0, 3), 3 * S)
    runner.start(fix_enu(0, 0, 4), 4 * S)
    assert (runner.state, runner.index) == (MissionState.RUNNING, 0)


def test_fail_from_outside_keeps_the_reason(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission())
    runner.start(fix_enu(0, 0, 0), 0)
    runner.fail("robot stuck for 30 s")
    status = runner.update(fix_enu(0, 0, 1), S)
    assert (status.state, status.reason, status.goal_enu) == (MissionState.FAILED, "robot stuck for 30 s", None)


def test_log_current_fix_builds_a_mission_and_saves_it(fix_enu: Callable[..., Any], tmp_path: Any) -> None:
    runner = MissionRunner(Mission())
    with pytest.raises(NoAdequateFixError, match="cannot log a waypoint"):
        runner.log_fix(fix_enu(0, 0, 0, status=-1), 0)
    first = runner.log_fix(fix_enu(3, 4, 0), 0, name="start")
    runner.log_fix(fix_enu(23, 4, 1), S, radius_m=5.0)
    assert runner.datum is not None and runner.datum.origin == GeoPoint(first.latitude, first.longitude)
    np.testing.assert_allclose(runner.waypoints_enu, [[0.0, 0.0], [20.0, 0.0]], atol=1e-3)
    runner.save(tmp_path / "logged.yaml")
    reloaded = load_mission(tmp_path / "logged.yaml")
    assert reloaded.waypoints == runner.mission.waypoints
    assert [w.name for w in reloaded.waypoints] == ["start", None]


def test_logging_while_running_appends_to_the_route(fix_enu: Callable[..., Any]) -> None:
    runner = MissionRunner(square_mission())
    runner.start(fix_enu(0, 0, 0), 0)
    runner.log_fix(fix_enu(-5, 10, 1), S, name="D")
    status = runner.update(fix_enu(0, 0, 1), S)
    assert status.total == 4
    assert status.distance_remaining_m == pytest.approx(10 + 10 + 10 + 5, abs=1e-6)


def test_far_waypoint_refused_when_loading_and_logging(fix_enu: Callable[..., Any]) -> None:
    far = Mission((Waypoint(*at(0, 0)), Waypoint(*at(0, 2100))), datum=ORIGIN)
    with pytest.raises(WaypointTooFarError, match="waypoint 1 is 2100 m"):
        MissionRunner(far)
    runner = MissionRunner(square_mission())
    with pytest.raises(WaypointTooFarError, match="waypoint 3 is 3000 m"):
        runner.log_fix(fix_enu(3000, 0, 0), 0)
    assert len(runner.mission) == 3


def test_mission_config_rejects_bad_values() -> None:
    with pytest.raises(MissionConfigError, match=r"default_radius_m=0.0 must be in \(0, 1000\]"):
        MissionConfig(default_radius_m=0.0)
    with pytest.raises(MissionConfigError, match="max_fix_loss_s"):
        MissionConfig(max_fix_loss_s=-1.0, fix=FixPolicy())
