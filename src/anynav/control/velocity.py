"""Planar velocity commands in base_link: what a geometry_msgs/Twist carries for a ground robot."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Velocity:
    """vx forward and vy left (m/s), wz counter-clockwise yaw rate (rad/s), per REP-103."""

    vx: float = 0.0
    vy: float = 0.0
    wz: float = 0.0

    def is_finite(self) -> bool:
        """True when every component is a finite number."""
        return math.isfinite(self.vx) and math.isfinite(self.vy) and math.isfinite(self.wz)


STOP = Velocity()
