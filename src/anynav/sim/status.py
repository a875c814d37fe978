"""The sim's ground-truth mission status: judged on the true pose, carried as JSON on /sim/status."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from anynav.sim.errors import StatusError
from anynav.sim.scenario import Scenario
from anynav.sim.summary import MissionSummary, MissionTracker
from anynav.sim.world import CollisionEvent, Pose2D

__all__ = ["FINAL_STATES", "STATES", "MissionMonitor", "MissionStatus", "collision_dict"]

#: Every mission state, in the order a run can pass through them.
STATES = ("running", "succeeded", "failed", "timeout")
#: States that end a run.
FINAL_STATES = frozenset(STATES[1:])


@dataclass(frozen=True)
class MissionStatus:
    """Where a simulated mission stands, judged by the sim on the true robot pose.

    Attributes:
        scenario, robot: names, from the scenario.
        state: running; succeeded (every waypoint reached, no collision); failed (every
            waypoint reached after a collision); timeout (the mission's timeout_s of sim
            time passed first).
        time_s: sim time, seconds.
        pose: true pose of base_link in the world.
        reached: per waypoint, whether the robot has been inside its arrival circle.
        distance_to_next_m: from the robot to the first waypoint not reached yet; None
            once all are reached.
        path_length_m: distance driven, metres.
        collisions: every collision so far.
        min_clearance_m: smallest distance to an obstacle or pedestrian so far (inf when
            none came within 10 m).
        real_time_factor: sim seconds per wall second lately; None before it is measured.
        cmd_vel_rejected: malformed or non-finite velocity commands dropped so far.
    """

    scenario: str
    robot: str
    state: str
    time_s: float
    pose: Pose2D
    reached: tuple[bool, ...]
    distance_to_next_m: float | None
    path_length_m: float
    collisions: tuple[CollisionEvent, ...]
    min_clearance_m: float
    real_time_factor: float | None = None
    cmd_vel_rejected: int = 0

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise StatusError(f"state must be one of {', '.join(STATES)}, got {self.state!r}")

    @property
    def done(self) -> bool:
        """True once the run has ended (succeeded, failed or timed out)."""
        return self.state in FINAL_STATES

    @property
    def waypoints_reached(self) -> int:
        return sum(self.reached)

    @property
    def next_waypoint(self) -> int | None:
        """Index of the first waypoint not reached yet; None once all are reached."""
        return next((i for i, ok in enumerate(self.reached) if not ok), None)

    def summary(self) -> MissionSummary:
        """The run's score so far, as the pure core loop reports it."""
        return MissionSummary(
            scenario=self.scenario,
            robot=self.robot,
            waypoints_total=len(self.reached),
            waypoints_reached=self.waypoints_reached,
            duration_s=self.time_s,
            path_length_m=self.path_length_m,
            collisions=self.collisions,
            min_clearance_m=self.min_clearance_m,
        )

    def progress(self) -> str:
        """One terminal line: time, the waypoint being driven to, distance to it, collisions."""
        total = len(self.reached)
        target = self.next_waypoint
        where = (
            f"waypoint {target + 1}/{total}  distance {self.distance_to_next_m:6.1f} m"
            if target is not None and self.distance_to_next_m is not None
            else f"waypoints {self.waypoints_reached}/{total} reached"
        )
        rtf = "" if self.real_time_factor is None else f"  x{self.real_time_factor:.1f} real time"
        return f"t={self.time_s:7.1f} s  {where}  collisions {len(self.collisions)}  {self.state}{rtf}"

    def to_json(self) -> str:
        """The /sim/status payload; infinities are written as null (JSON has none)."""
        return json.dumps(
            {
                "scenario": self.scenario,
                "robot": self.robot,
                "state": self.state,
                "time": round(self.time_s, 6),
                "pose": {"x": self.pose.x, "y": self.pose.y, "yaw": self.pose.yaw},
                "waypoints_total": len(self.reached),
                "waypoints_reached": self.waypoints_reached,
                "reached": list(self.reached),
                "next_waypoint": self.next_waypoint,
                "distance_to_next": self.distance_to_next_m,
                "path_length": self.path_length_m,
                "collisions": len(self.collisions),
                "collision_events": [collision_dict(e) for e in self.collisions],
                "min_clearance": None if math.isinf(self.min_clearance_m) else self.min_clearance_m,
                "real_time_factor": self.real_time_factor,
                "cmd_vel_rejected": self.cmd_vel_rejected,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> MissionStatus:
        """Parse a /sim/status payload; StatusError names the key that is missing or wrong."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise StatusError(f"not JSON: {err}") from None
        if not isinstance(data, Mapping):
            raise StatusError(f"expected a JSON object, got {type(data).__name__}")
        pose = _get(data, "pose", Mapping)
        reached = _get(data, "reached", list)
        if not all(isinstance(v, bool) for v in reached):
            raise StatusError(f"reached: expected a list of true/false, got {reached!r}")
        distance = data.get("distance_to_next")
        clearance = data.get("min_clearance")
        rtf = data.get("real_time_factor")
        return cls(
            scenario=_get(data, "scenario", str),
            robot=_get(data, "robot", str),
            state=_get(data, "state", str),
            time_s=_number(data, "time"),
            pose=Pose2D(_number(pose, "x", "pose."), _number(pose, "y", "pose."), _number(pose, "yaw", "pose.")),
            reached=tuple(reached),
            distance_to_next_m=None if distance is None else _number(data, "distance_to_next"),
            path_length_m=_number(data, "path_length"),
            collisions=tuple(_event(e, i) for i, e in enumerate(_get(data, "collision_events", list))),
            min_clearance_m=math.inf if clearance is None else _number(data, "min_clearance"),
            real_time_factor=None if rtf is None else _number(data, "real_time_factor"),
            cmd_vel_rejected=int(_number(data, "cmd_vel_rejected")),
        )


class MissionMonitor:
    """Judges a scenario's mission step by step on the true pose: waypoints, collisions, end state.

    Waypoints count once the robot body centre is within the scenario's arrival radius,
    in any order (as MissionTracker scores them). The run ends when every waypoint is
    reached (succeeded, or failed after a collision) or when the mission's timeout_s of
    sim time has passed; the end state then stays.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._tracker = MissionTracker(scenario)
        self._goals = scenario.waypoints_enu()
        self._timeout_s = scenario.mission.timeout_s
        self._pose = Pose2D(scenario.robot.x, scenario.robot.y, math.radians(scenario.robot.yaw_deg))
        self._time_s = 0.0
        self._tracker.update(0.0, self._pose, (), math.inf)  # the path is measured from the start pose
        self.state = "running"

    @property
    def done(self) -> bool:
        return self.state in FINAL_STATES

    def update(self, time_s: float, pose: Pose2D, events: Iterable[CollisionEvent], clearance: float) -> None:
        """Add one step: sim time and true pose after it, the collisions it began, the clearance after it."""
        if self.done:
            return
        self._tracker.update(time_s, pose, events, clearance)
        self._pose, self._time_s = pose, time_s
        summary = self._tracker.summary()
        if summary.waypoints_reached == summary.waypoints_total:
            self.state = "succeeded" if summary.success else "failed"
        elif time_s >= self._timeout_s - 1e-9:
            self.state = "timeout"

    def status(self, real_time_factor: float | None = None, cmd_vel_rejected: int = 0) -> MissionStatus:
        """The status after the last update."""
        summary = self._tracker.summary()
        reached = self._tracker.reached
        target = next((self._goals[i] for i, ok in enumerate(reached) if not ok), None)
        return MissionStatus(
            scenario=summary.scenario,
            robot=summary.robot,
            state=self.state,
            time_s=self._time_s,
            pose=self._pose,
            reached=reached,
            distance_to_next_m=None if target is None else math.dist((self._pose.x, self._pose.y), target),
            path_length_m=summary.path_length_m,
            collisions=summary.collisions,
            min_clearance_m=summary.min_clearance_m,
            real_time_factor=real_time_factor,
            cmd_vel_rejected=cmd_vel_rejected,
        )


def collision_dict(event: CollisionEvent) -> dict[str, Any]:
    """A collision event as the JSON object /sim/collision and /sim/status carry."""
    return {"time": event.time_s, "other": event.other, "kind": event.kind, "x": event.x, "y": event.y}


def _event(data: Any, index: int) -> CollisionEvent:
    prefix = f"collision_events[{index}]."
    if not isinstance(data, Mapping):
        raise StatusError(f"{prefix[:-1]}: expected an object, got {data!r}")
    return CollisionEvent(
        time_s=_number(data, "time", prefix),
        other=_get(data, "other", str, prefix),
        kind=_get(data, "kind", str, prefix),
        x=_number(data, "x", prefix),
        y=_number(data, "y", prefix),
    )


def _get(data: Mapping, key: str, kind: type, prefix: str = "") -> Any:
    if key not in data:
        raise StatusError(f"{prefix}{key}: missing")
    value = data[key]
    if not isinstance(value, kind):
        raise StatusError(f"{prefix}{key}: expected {kind.__name__}, got {value!r}")
    return value


def _number(data: Mapping, key: str, prefix: str = "") -> float:
    value = _get(data, key, object, prefix)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise StatusError(f"{prefix}{key}: expected a finite number, got {value!r}")
    return float(value)
