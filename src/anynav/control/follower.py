"""Waypoint follower: the latest predicted path (base_link) to a velocity command at a fixed rate.

The law is the one visualnav, LogoNav and CityWalker deploy with: take one waypoint of the
path and reach it in one model step, v = dx/dt, w = atan2(dy, dx)/dt. Then saturate v and w
together (the ratio v/w, i.e. the curvature, stays), limit the acceleration, and give zero
as soon as the path is older than its time-to-live.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anynav.control.errors import ControlConfigError, PathError
from anynav.control.velocity import STOP, Velocity


@dataclass(frozen=True)
class FollowerConfig:
    """Follower settings, per robot.

    rate_hz: control loop rate, [1, 100] Hz.
    waypoint_index: which waypoint of the predicted path to steer to, [0, 63] (2 for LogoNav/ViNT).
    dt_s: model time step: the chosen waypoint is reached in dt_s, (0, 5] s (0.25 for ViNT/LogoNav).
    max_linear_mps: largest |vx|, (0, 5] m/s.
    max_angular_rps: largest |wz|, (0, 10] rad/s.
    max_linear_accel_mps2: largest change of vx per second, (0, 50] m/s^2.
    max_angular_accel_rps2: largest change of wz per second, (0, 100] rad/s^2.
    allow_reverse: command negative vx toward waypoints behind; otherwise turn in place.
    path_ttl_s: a path older than this (by its stamp) gives zero, (0, 10] s.
    """

    rate_hz: float = 10.0
    waypoint_index: int = 2
    dt_s: float = 0.25
    max_linear_mps: float = 0.5
    max_angular_rps: float = 1.0
    max_linear_accel_mps2: float = 1.0
    max_angular_accel_rps2: float = 3.0
    allow_reverse: bool = False
    path_ttl_s: float = 1.0

    def __post_init__(self) -> None:
        _in_range("rate_hz", self.rate_hz, 1.0, 100.0, closed_low=True)
        if not (isinstance(self.waypoint_index, int) and 0 <= self.waypoint_index <= 63):
            raise ControlConfigError(f"waypoint_index={self.waypoint_index!r} must be an integer in [0, 63]")
        _in_range("dt_s", self.dt_s, 0.0, 5.0)
        _in_range("max_linear_mps", self.max_linear_mps, 0.0, 5.0)
        _in_range("max_angular_rps", self.max_angular_rps, 0.0, 10.0)
        _in_range("max_linear_accel_mps2", self.max_linear_accel_mps2, 0.0, 50.0)
        _in_range("max_angular_accel_rps2", self.max_angular_accel_rps2, 0.0, 100.0)
        _in_range("path_ttl_s", self.path_ttl_s, 0.0, 10.0)


@dataclass(frozen=True)
class FollowerOutput:
    """The command to publish and, when it is a forced stop, why."""

    command: Velocity
    reason: str = ""


class Follower:
    """Holds the latest path and the last command; ``step`` is called once per control period."""

    def __init__(self, config: FollowerConfig) -> None:
        self.config = config
        self._path: np.ndarray | None = None
        self._stamp_ns = 0
        self._last = STOP

    def set_path(self, points: np.ndarray, stamp_ns: int) -> None:
        """Replace the path: (N, 2) x forward / y left in base_link, metres, stamped at prediction time.

        A malformed path raises PathError and clears the old one, so the robot stops.
        """
        array = np.asarray(points, dtype=float)
        if array.ndim != 2 or array.shape[1] != 2 or len(array) == 0:
            self._path = None
            raise PathError(f"path must be (N, 2) x/y in base_link with N >= 1, got shape {array.shape}")
        if not np.isfinite(array).all():
            self._path = None
            raise PathError("path holds non-finite values")
        self._path = array
        self._stamp_ns = int(stamp_ns)

    def clear(self) -> None:
        """Drop the path (e.g. on a mission cancel): the next step gives zero."""
        self._path = None

    def step(self, now_ns: int) -> FollowerOutput:
        """The command for this control period."""
        target, stop_reason = self._target(now_ns)
        if target is None:
            self._last = STOP
            return FollowerOutput(STOP, stop_reason)
        dx, dy = target
        v, w = self._saturate(*self._raw_command(float(dx), float(dy)))
        v, w = self._limit_acceleration(v, w)
        self._last = Velocity(vx=v, wz=w)
        return FollowerOutput(self._last)

    def _target(self, now_ns: int) -> tuple[np.ndarray | None, str]:
        """The waypoint to steer to, or None and the reason to stop."""
        if self._path is None:
            return None, "no path"
        age_s = (now_ns - self._stamp_ns) * 1e-9
        if abs(age_s) > self.config.path_ttl_s:
            return None, f"path is {age_s:.2f} s old (path_ttl_s {self.config.path_ttl_s:g})"
        if len(self._path) <= self.config.waypoint_index:
            return None, f"path has {len(self._path)} waypoints, waypoint_index {self.config.waypoint_index} needs more"
        return self._path[self.config.waypoint_index], ""

    def _raw_command(self, dx: float, dy: float) -> tuple[float, float]:
        """Reach (dx, dy) in one model step; behind the robot: reverse if allowed, else turn in place."""
        dt = self.config.dt_s
        if dx < 0.0 and self.config.allow_reverse:
            return dx / dt, math.atan(dy / dx) / dt
        return max(dx, 0.0) / dt, math.atan2(dy, dx) / dt

    def _saturate(self, v: float, w: float) -> tuple[float, float]:
        """Scale v and w by one factor so both fit their limits and the curvature v/w is kept."""
        scale = max(abs(v) / self.config.max_linear_mps, abs(w) / self.config.max_angular_rps, 1.0)
        return v / scale, w / scale

    def _limit_acceleration(self, v: float, w: float) -> tuple[float, float]:
        """Move from the last command toward (v, w) by at most one period of acceleration, along a straight line."""
        period = 1.0 / self.config.rate_hz
        dv, dw = v - self._last.vx, w - self._last.wz
        fraction = 1.0
        if dv:
            fraction = min(fraction, self.config.max_linear_accel_mps2 * period / abs(dv))
        if dw:
            fraction = min(fraction, self.config.max_angular_accel_rps2 * period / abs(dw))
        return self._last.vx + fraction * dv, self._last.wz + fraction * dw


def _in_range(name: str, value: float, low: float, high: float, closed_low: bool = False) -> None:
    ok_low = value >= low if closed_low else value > low
    if not (isinstance(value, (int, float)) and math.isfinite(value) and ok_low and value <= high):
        bracket = "[" if closed_low else "("
        raise ControlConfigError(f"{name}={value!r} must be in {bracket}{low:g}, {high:g}]")
