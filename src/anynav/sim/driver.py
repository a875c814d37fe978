"""A minimal GPS waypoint driver: heads for each waypoint in turn from GPS + IMU, as a real robot would.

It is the stand-in navigation of the simulator until the policy graph drives the robot:
no obstacle avoidance, just proportional heading control toward the next waypoint.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from anynav.sim.geodesy import Datum, LocalTangentPlane
from anynav.sim.sensors import NAVSAT_STATUS, GpsFix
from anynav.sim.validation import require

__all__ = ["DriverConfig", "WaypointDriver"]


@dataclass(frozen=True)
class DriverConfig:
    """Gains and limits of the waypoint driver.

    Attributes:
        max_speed: forward speed on a straight line, m/s.
        max_yaw_rate: rad/s.
        heading_gain: yaw rate per radian of heading error, 1/s.
        arrival_fraction: the driver moves on once its GPS position is within this
            fraction of the mission's arrival radius, so GPS noise does not make it leave
            before the robot is truly inside the circle.
        fix_timeout_s: stop when the last usable fix is older than this, seconds.
    """

    max_speed: float = 0.8
    max_yaw_rate: float = 1.0
    heading_gain: float = 1.5
    arrival_fraction: float = 0.5
    fix_timeout_s: float = 2.0

    def __post_init__(self) -> None:
        require(0.0 < self.max_speed <= 5.0, "max_speed", "in (0, 5] m/s", self.max_speed)
        require(0.0 < self.max_yaw_rate <= 10.0, "max_yaw_rate", "in (0, 10] rad/s", self.max_yaw_rate)
        require(0.0 < self.heading_gain <= 20.0, "heading_gain", "in (0, 20] 1/s", self.heading_gain)
        require(0.05 <= self.arrival_fraction <= 1.0, "arrival_fraction", "in [0.05, 1]", self.arrival_fraction)
        require(0.0 < self.fix_timeout_s <= 60.0, "fix_timeout_s", "in (0, 60] s", self.fix_timeout_s)


class WaypointDriver:
    """Turns GPS fixes and IMU heading into velocity commands toward each waypoint in turn.

    Feed fixes with :meth:`on_gps` as they arrive and ask :meth:`command` at the control
    rate. Without a usable fix (none yet, NO_FIX status, or older than ``fix_timeout_s``)
    the command is zero: it fails closed.
    """

    def __init__(
        self,
        waypoints: Sequence[tuple[float, float]],
        datum: Datum,
        arrival_radius: float,
        config: DriverConfig | None = None,
    ) -> None:
        if not waypoints:
            raise ValueError("waypoints must hold at least one (latitude, longitude)")
        if arrival_radius <= 0.0:
            raise ValueError(f"arrival_radius must be positive, got {arrival_radius}")
        self.config = config or DriverConfig()
        self._plane = LocalTangentPlane(datum)
        self._goals = [tuple(float(v) for v in self._plane.to_enu(lat, lon)[:2]) for lat, lon in waypoints]
        self._radius = arrival_radius * self.config.arrival_fraction
        self._position: tuple[float, float] | None = None
        self._fix_time = -math.inf
        self.index = 0

    @property
    def done(self) -> bool:
        """True once the last waypoint has been reached."""
        return self.index >= len(self._goals)

    def on_gps(self, fix: GpsFix, now_s: float) -> None:
        """Take a new fix; fixes without a position solution are ignored."""
        if fix.status == NAVSAT_STATUS["no_fix"]:
            return
        east, north, _ = self._plane.to_enu(fix.latitude, fix.longitude, fix.altitude)
        self._position = (float(east), float(north))
        self._fix_time = now_s
        while not self.done and math.dist(self._position, self._goals[self.index]) <= self._radius:
            self.index += 1

    def command(self, now_s: float, yaw: float) -> tuple[float, float, float]:
        """(vx, vy, wz) toward the current waypoint, given the IMU heading (rad, ENU)."""
        if self.done or self._position is None or now_s - self._fix_time > self.config.fix_timeout_s:
            return (0.0, 0.0, 0.0)
        cfg = self.config
        gx, gy = self._goals[self.index]
        bearing = math.atan2(gy - self._position[1], gx - self._position[0])
        error = math.remainder(bearing - yaw, 2.0 * math.pi)
        wz = max(-cfg.max_yaw_rate, min(cfg.max_yaw_rate, cfg.heading_gain * error))
        vx = cfg.max_speed * max(0.0, math.cos(error)) ** 2
        return (vx, 0.0, wz)
