"""The GPS mission state machine: current waypoint, arrival, progress, pause/resume/cancel, logging fixes.

States: idle -> running <-> paused -> succeeded | cancelled | failed. A goal is produced
only while running with an adequate fix; a NaN, stale or no-fix reading never gives one.
Running without an adequate fix for ``max_fix_loss_s`` fails the mission.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from anynav.mission.datum import DatumConfig, LocalDatum
from anynav.mission.errors import MissionConfigError, MissionStateError, NoAdequateFixError
from anynav.mission.fix import FixCheck, FixPolicy, NavSatFixLike, check_fix
from anynav.mission.formats import save_mission
from anynav.mission.goal import goal_in_base_link, wrap_angle
from anynav.mission.waypoint import GeoPoint, Mission, Waypoint


class MissionState(str, enum.Enum):
    """Where a mission is in its life."""

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
    SUCCEEDED = "succeeded"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True)
class MissionConfig:
    """Mission settings.

    default_radius_m: arrival radius of waypoints without their own, (0, 1000] m.
    max_fix_loss_s: running this long without an adequate fix fails the mission, (0, 3600] s.
    datum: distance / UTM-zone limits around the datum.
    fix: what makes a fix adequate.
    """

    default_radius_m: float = 2.0
    max_fix_loss_s: float = 30.0
    datum: DatumConfig = field(default_factory=DatumConfig)
    fix: FixPolicy = field(default_factory=FixPolicy)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.default_radius_m) and 0.0 < self.default_radius_m <= 1000.0):
            raise MissionConfigError(f"default_radius_m={self.default_radius_m!r} must be in (0, 1000] metres")
        if not (math.isfinite(self.max_fix_loss_s) and 0.0 < self.max_fix_loss_s <= 3600.0):
            raise MissionConfigError(f"max_fix_loss_s={self.max_fix_loss_s!r} must be in (0, 3600] seconds")


@dataclass(frozen=True)
class MissionStatus:
    """A snapshot for feedback topics and for the policy's goal.

    index: current waypoint (equals total once every waypoint is reached).
    goal_enu / goal_base_link: the current waypoint in the datum frame / robot frame; None
        unless running with an adequate fix (and, for base_link, a finite heading).
    goal_yaw_base_link: the waypoint's yaw relative to the robot heading, when both exist.
    distance_to_current_m: straight-line distance from the robot to the current waypoint.
    distance_remaining_m: to the current waypoint, then along the route to the last one.
    arrived: waypoints reached during this update, in order.
    reason: why there is no goal (paused, fix inadequate, ...), or why the mission failed.
    """

    state: MissionState
    index: int
    total: int
    current: Waypoint | None
    fix: FixCheck
    robot_enu: tuple[float, float] | None = None
    goal_enu: tuple[float, float] | None = None
    goal_base_link: tuple[float, float] | None = None
    goal_yaw_base_link: float | None = None
    distance_to_current_m: float | None = None
    distance_remaining_m: float | None = None
    arrived: tuple[int, ...] = ()
    reason: str = ""


class MissionRunner:
    """Runs one mission: feed it fixes (and a heading) with ``update``; read goals and progress back."""

    def __init__(self, mission: Mission, config: MissionConfig | None = None) -> None:
        self.config = config or MissionConfig()
        self.mission = Mission((), mission.datum)
        self.datum: LocalDatum | None = None
        self._enu = np.zeros((0, 2))
        self._state = MissionState.IDLE
        self._index = 0
        self._reason = ""
        self._last_adequate_ns: int | None = None
        if mission.datum is not None:
            self.datum = LocalDatum(mission.datum, self.config.datum)
        for waypoint in mission.waypoints:
            self._append(waypoint)

    @property
    def state(self) -> MissionState:
        """Where the mission is in its life."""
        return self._state

    @property
    def index(self) -> int:
        """The current waypoint (equals the waypoint count once all are reached)."""
        return self._index

    @property
    def reason(self) -> str:
        """Why the mission is paused, cancelled or failed ('' otherwise)."""
        return self._reason

    @property
    def waypoints_enu(self) -> np.ndarray:
        """(N, 2) east/north of the waypoints in the mission datum (read-only view)."""
        view = self._enu.view()
        view.flags.writeable = False
        return view

    def radius_m(self, index: int) -> float:
        """Arrival radius of waypoint ``index``."""
        own = self.mission.waypoints[index].radius_m
        return own if own is not None else self.config.default_radius_m

    def start(self, fix: NavSatFixLike | None, now_ns: int, first_index: int = 0) -> None:
        """Begin (or restart) at ``first_index``; refused without waypoints or an adequate fix."""
        if self.state in (MissionState.RUNNING, MissionState.PAUSED):
            raise MissionStateError(f"cannot start: mission is already {self.state.value}; cancel it first")
        if not self.mission.waypoints:
            raise MissionStateError("cannot start: the mission has no waypoints")
        if not 0 <= first_index < len(self.mission.waypoints):
            raise MissionStateError(f"first_index={first_index} must be in [0, {len(self.mission.waypoints) - 1}]")
        self._require_fix(fix, now_ns, "start")
        self._index = first_index
        self._enter(MissionState.RUNNING, "")
        self._last_adequate_ns = now_ns

    def pause(self) -> None:
        """Stop producing goals; progress is kept."""
        self._require_state("pause", MissionState.RUNNING)
        self._enter(MissionState.PAUSED, "paused by request")

    def resume(self, fix: NavSatFixLike | None, now_ns: int) -> None:
        """Continue a paused mission; refused without an adequate fix."""
        self._require_state("resume", MissionState.PAUSED)
        self._require_fix(fix, now_ns, "resume")
        self._enter(MissionState.RUNNING, "")
        self._last_adequate_ns = now_ns

    def cancel(self) -> None:
        """Abandon a running or paused mission."""
        self._require_state("cancel", MissionState.RUNNING, MissionState.PAUSED)
        self._enter(MissionState.CANCELLED, "cancelled by request")

    def fail(self, reason: str) -> None:
        """Abort a running or paused mission because something outside gave up (e.g. the robot is stuck)."""
        self._require_state("fail", MissionState.RUNNING, MissionState.PAUSED)
        self._enter(MissionState.FAILED, reason)

    def update(self, fix: NavSatFixLike | None, now_ns: int, heading: float | None = None) -> MissionStatus:
        """Take the latest fix (and ENU heading, radians): switch waypoints on arrival, return the status."""
        check = check_fix(fix, self.config.fix, now_ns)
        robot = self.datum.to_enu(fix.latitude, fix.longitude) if check.adequate and fix and self.datum else None
        arrived: list[int] = []
        if self.state is MissionState.RUNNING:
            if robot is None:
                self._on_fix_loss(check, now_ns)
            else:
                self._last_adequate_ns = now_ns
                while self.index < len(self._enu) and self._distance(robot, self.index) <= self.radius_m(self.index):
                    arrived.append(self.index)
                    self._index += 1
                if self.index == len(self._enu):
                    self._enter(MissionState.SUCCEEDED, "")
        return self._status(check, robot, heading, tuple(arrived))

    def log_fix(
        self, fix: NavSatFixLike | None, now_ns: int, name: str | None = None, radius_m: float | None = None
    ) -> Waypoint:
        """Append the current position as a waypoint (the first one also fixes the datum if none was given)."""
        fix = self._require_fix(fix, now_ns, "log a waypoint")
        waypoint = Waypoint(fix.latitude, fix.longitude, name=name, radius_m=radius_m)
        self._append(waypoint)
        return waypoint

    def save(self, path: str | Path, fmt: str | None = None) -> None:
        """Write the mission (including logged waypoints) to a file; format from the extension."""
        save_mission(self.mission, path, fmt)

    def _append(self, waypoint: Waypoint) -> None:
        if self.datum is None:
            self.datum = LocalDatum(GeoPoint(waypoint.latitude, waypoint.longitude), self.config.datum)
        east_north = self.datum.checked_enu(waypoint, len(self.mission.waypoints))
        self._enu = np.vstack([self._enu, east_north])
        self.mission = Mission((*self.mission.waypoints, waypoint), self.mission.datum)

    def _on_fix_loss(self, check: FixCheck, now_ns: int) -> None:
        lost_s = (now_ns - self._last_adequate_ns) * 1e-9 if self._last_adequate_ns is not None else math.inf
        if lost_s > self.config.max_fix_loss_s:
            self._enter(MissionState.FAILED, f"no adequate fix for {lost_s:.1f} s (last: {check.reason})")

    def _status(
        self, check: FixCheck, robot: tuple[float, float] | None, heading: float | None, arrived: tuple[int, ...]
    ) -> MissionStatus:
        total = len(self.mission.waypoints)
        current = self.mission.waypoints[self.index] if self.index < total else None
        to_current = remaining = None
        if robot is not None and current is not None:
            to_current = self._distance(robot, self.index)
            remaining = to_current + float(np.linalg.norm(np.diff(self._enu[self.index :], axis=0), axis=1).sum())
        status = MissionStatus(
            state=self.state,
            index=self.index,
            total=total,
            current=current,
            fix=check,
            robot_enu=robot,
            distance_to_current_m=to_current,
            distance_remaining_m=remaining,
            arrived=arrived,
            reason=self.reason,
        )
        if self.state is not MissionState.RUNNING:
            return status
        if robot is None:
            return replace(status, reason=f"no goal: {check.reason}")
        goal = (float(self._enu[self.index, 0]), float(self._enu[self.index, 1]))
        status = replace(status, goal_enu=goal)
        if heading is None or not math.isfinite(heading):
            return replace(status, reason="no heading: goal in base_link unknown")
        yaw = current.yaw if current is not None else None
        return replace(
            status,
            goal_base_link=goal_in_base_link(robot, heading, goal),
            goal_yaw_base_link=wrap_angle(yaw - heading) if yaw is not None else None,
        )

    def _distance(self, robot: tuple[float, float], index: int) -> float:
        return math.hypot(self._enu[index, 0] - robot[0], self._enu[index, 1] - robot[1])

    def _require_fix(self, fix: NavSatFixLike | None, now_ns: int, action: str) -> NavSatFixLike:
        check = check_fix(fix, self.config.fix, now_ns)
        if fix is None or not check.adequate:
            raise NoAdequateFixError(f"cannot {action}: {check.reason}")
        return fix

    def _require_state(self, action: str, *allowed: MissionState) -> None:
        if self.state not in allowed:
            names = " or ".join(s.value for s in allowed)
            raise MissionStateError(f"cannot {action}: mission is {self.state.value}, not {names}")

    def _enter(self, state: MissionState, reason: str) -> None:
        self._state = state
        self._reason = reason
