"""Scores a simulated mission from ground truth: waypoints reached, path length, time, collisions, clearance."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from anynav.sim.scenario import Scenario
from anynav.sim.world import CollisionEvent, Pose2D

__all__ = ["MissionSummary", "MissionTracker"]


@dataclass(frozen=True)
class MissionSummary:
    """The outcome of one simulated mission, judged on the true robot position (not its GPS).

    Attributes:
        scenario: scenario name.
        robot: robot name.
        waypoints_total: waypoints in the mission.
        waypoints_reached: waypoints whose arrival circle the robot entered.
        duration_s: sim time of the run, seconds.
        path_length_m: distance driven, metres.
        collisions: collision events (the robot body began touching something).
        min_clearance_m: smallest distance from the robot body to any obstacle or
            pedestrian during the run (inf when none came within 10 m; < 0 is penetration).
    """

    scenario: str
    robot: str
    waypoints_total: int
    waypoints_reached: int
    duration_s: float
    path_length_m: float
    collisions: tuple[CollisionEvent, ...]
    min_clearance_m: float

    @property
    def success(self) -> bool:
        """Every waypoint reached without a single collision."""
        return self.waypoints_reached == self.waypoints_total and not self.collisions

    def format(self) -> str:
        """A few lines for a terminal."""
        clearance = "none within 10 m" if math.isinf(self.min_clearance_m) else f"{self.min_clearance_m:.2f} m"
        lines = [
            f"scenario {self.scenario} ({self.robot}): {'SUCCESS' if self.success else 'FAILED'}",
            f"  waypoints reached  {self.waypoints_reached}/{self.waypoints_total}",
            f"  time               {self.duration_s:.1f} s",
            f"  path length        {self.path_length_m:.1f} m",
            f"  collisions         {len(self.collisions)}",
            f"  min clearance      {clearance}",
        ]
        lines += [f"    t={e.time_s:.2f} s  {e.kind} {e.other} at ({e.x:.2f}, {e.y:.2f})" for e in self.collisions]
        return "\n".join(lines)


class MissionTracker:
    """Accumulates a run's ground-truth score step by step."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._goals = scenario.waypoints_enu()
        self._radius = scenario.mission.arrival_radius
        self._reached = [False] * len(self._goals)
        self._last: Pose2D | None = None
        self._length = 0.0
        self._time = 0.0
        self._collisions: list[CollisionEvent] = []
        self._min_clearance = math.inf

    def update(self, time_s: float, pose: Pose2D, events: Iterable[CollisionEvent], clearance: float) -> None:
        """Add one step: the true pose after it, the collisions it began, the clearance after it."""
        if self._last is not None:
            self._length += math.hypot(pose.x - self._last.x, pose.y - self._last.y)
        self._last = pose
        self._time = time_s
        self._collisions.extend(events)
        self._min_clearance = min(self._min_clearance, clearance)
        for i, goal in enumerate(self._goals):
            if not self._reached[i] and math.dist((pose.x, pose.y), goal) <= self._radius:
                self._reached[i] = True

    @property
    def reached(self) -> tuple[bool, ...]:
        """Per waypoint: has the robot been inside its arrival circle."""
        return tuple(self._reached)

    def summary(self) -> MissionSummary:
        return MissionSummary(
            scenario=self.scenario.name,
            robot=self.scenario.robot.name,
            waypoints_total=len(self._goals),
            waypoints_reached=sum(self._reached),
            duration_s=self._time,
            path_length_m=self._length,
            collisions=tuple(self._collisions),
            min_clearance_m=self._min_clearance,
        )
