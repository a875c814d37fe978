"""Planar pose integration shared by the robot emulators."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class PlanarPose:
    """x, y (m) and yaw (rad) of a body in its odometry frame."""

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0

    def advance(self, vx: float, vy: float, yaw_rate: float, dt: float) -> None:
        """Move by body-frame velocity held for ``dt`` seconds (exact for constant twist)."""
        if dt <= 0:
            return
        heading = self.yaw + 0.5 * yaw_rate * dt
        self.x += (vx * math.cos(heading) - vy * math.sin(heading)) * dt
        self.y += (vx * math.sin(heading) + vy * math.cos(heading)) * dt
        self.yaw = math.atan2(math.sin(self.yaw + yaw_rate * dt), math.cos(self.yaw + yaw_rate * dt))

    def quaternion_wxyz(self) -> tuple[float, float, float, float]:
        """Orientation as Unitree sends it: w, x, y, z."""
        return (math.cos(self.yaw / 2), 0.0, 0.0, math.sin(self.yaw / 2))
