"""Baseline goal-seeking policy with LiDAR obstacle avoidance: a reference to compare learned policies with.

A polar free-space test in the spirit of the vector field histogram: for every candidate
heading, how far can the robot's inflated disc travel straight before touching an obstacle
point? Among the headings free for the look-ahead (or up to the goal), take the one closest
to the goal bearing, slightly preferring straight ahead. The output has the learned
policies' form: a few (x, y) waypoints in base_link (x forward, y left), metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anynav.policy.errors import PolicyConfigError, PolicyInputError


@dataclass(frozen=True)
class BaselineConfig:
    """Baseline settings.

    num_waypoints: waypoints per plan, [1, 32].
    waypoint_spacing_m: distance between consecutive waypoints, (0, 5] m.
    lookahead_m: a heading counts as free if this much (or the goal distance) is clear, (0, 30] m.
    robot_radius_m: radius of the disc that must stay clear of points, (0, 5] m.
    safety_margin_m: extra clearance added to the radius, [0, 5] m.
    num_headings: candidate headings over the full circle, [8, 1440].
    obstacle_min_z / obstacle_max_z: points with z in this band (base_link, m) are obstacles;
        the band must exclude the ground and what the robot passes under. Defaults suit a
        base_link at ground level; a legged robot's trunk frame needs negative values.
    goal_tolerance_m: closer than this the plan is "stay" (all waypoints at the origin), (0, 10] m.
    straight_weight: cost per radian of turning away from straight ahead, added to the cost
        per radian away from the goal bearing; damps left/right flipping, [0, 1].
    """

    num_waypoints: int = 5
    waypoint_spacing_m: float = 0.25
    lookahead_m: float = 3.0
    robot_radius_m: float = 0.35
    safety_margin_m: float = 0.15
    num_headings: int = 180
    obstacle_min_z: float = 0.1
    obstacle_max_z: float = 1.5
    goal_tolerance_m: float = 0.3
    straight_weight: float = 0.1

    def __post_init__(self) -> None:
        _integer("num_waypoints", self.num_waypoints, 1, 32)
        _integer("num_headings", self.num_headings, 8, 1440)
        for name, high in (
            ("waypoint_spacing_m", 5.0),
            ("lookahead_m", 30.0),
            ("robot_radius_m", 5.0),
            ("goal_tolerance_m", 10.0),
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 < value <= high):
                raise PolicyConfigError(f"{name}={value!r} must be in (0, {high:g}]")
        for name, high in (("safety_margin_m", 5.0), ("straight_weight", 1.0)):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= high):
                raise PolicyConfigError(f"{name}={value!r} must be in [0, {high:g}]")
        if not (
            math.isfinite(self.obstacle_min_z)
            and math.isfinite(self.obstacle_max_z)
            and self.obstacle_min_z < self.obstacle_max_z
        ):
            raise PolicyConfigError(
                f"obstacle_min_z={self.obstacle_min_z!r} must be finite and below "
                f"obstacle_max_z={self.obstacle_max_z!r}"
            )


class BaselinePolicy:
    """Goal (x, y) in base_link + optional obstacle points (N, 3) in base_link -> waypoints (K, 2)."""

    def __init__(self, config: BaselineConfig | None = None) -> None:
        self.config = config or BaselineConfig()
        angles = np.linspace(-math.pi, math.pi, self.config.num_headings, endpoint=False)
        self._headings = angles
        self._directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)

    def plan(self, goal_xy: tuple[float, float], points: np.ndarray | None = None) -> np.ndarray:
        """Waypoints toward the goal around obstacles; all at the origin when arrived or boxed in."""
        goal = np.asarray(goal_xy, dtype=float).reshape(-1)
        if goal.shape != (2,) or not np.isfinite(goal).all():
            raise PolicyInputError(f"goal must be two finite numbers (x, y) in base_link, got {goal_xy!r}")
        stay = np.zeros((self.config.num_waypoints, 2))
        distance = float(np.hypot(*goal))
        if distance <= self.config.goal_tolerance_m:
            return stay
        free = self.free_distances(self._obstacles(points))
        needed = min(self.config.lookahead_m, distance)
        bearing = math.atan2(goal[1], goal[0])
        cost = np.abs(_wrap(self._headings - bearing)) + self.config.straight_weight * np.abs(self._headings)
        open_headings = free >= needed
        if open_headings.any():
            choice = int(np.argmin(np.where(open_headings, cost, np.inf)))
        else:
            choice = int(np.argmax(free))
        travel = min(float(free[choice]), distance)
        if travel < self.config.waypoint_spacing_m:
            return stay
        steps = np.minimum(np.arange(1, self.config.num_waypoints + 1) * self.config.waypoint_spacing_m, travel)
        waypoints: np.ndarray = steps[:, None] * self._directions[choice]
        return waypoints

    def free_distances(self, obstacles: np.ndarray) -> np.ndarray:
        """For each candidate heading, how far the inflated disc travels straight before touching a point."""
        if len(obstacles) == 0:
            return np.full(len(self._headings), np.inf)
        radius = self.config.robot_radius_m + self.config.safety_margin_m
        along = self._directions @ obstacles.T  # (headings, points)
        across = np.abs(self._directions[:, 0:1] * obstacles[:, 1] - self._directions[:, 1:2] * obstacles[:, 0])
        blocking = (along > 0.0) & (across < radius)
        contact = along - np.sqrt(np.maximum(radius**2 - across**2, 0.0))
        free: np.ndarray = np.where(blocking, np.maximum(contact, 0.0), np.inf).min(axis=1)
        return free

    def _obstacles(self, points: np.ndarray | None) -> np.ndarray:
        """x/y of the points inside the height band and within reach of the look-ahead."""
        if points is None:
            return np.zeros((0, 2))
        cloud = np.asarray(points, dtype=float)
        if cloud.ndim != 2 or cloud.shape[1] != 3:
            raise PolicyInputError(f"obstacle points must be (N, 3) x/y/z in base_link, got shape {cloud.shape}")
        cloud = cloud[np.isfinite(cloud).all(axis=1)]
        reach = self.config.lookahead_m + self.config.robot_radius_m + self.config.safety_margin_m
        keep = (
            (cloud[:, 2] >= self.config.obstacle_min_z)
            & (cloud[:, 2] <= self.config.obstacle_max_z)
            & (np.hypot(cloud[:, 0], cloud[:, 1]) <= reach)
        )
        obstacles: np.ndarray = cloud[keep, :2]
        return obstacles


def _wrap(angles: np.ndarray) -> np.ndarray:
    return (angles + np.pi) % (2.0 * np.pi) - np.pi


def _integer(name: str, value: int, low: int, high: int) -> None:
    if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
        raise PolicyConfigError(f"{name}={value!r} must be an integer in [{low}, {high}]")
