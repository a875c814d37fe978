"""Speed and acceleration limits applied to velocity commands before they reach the base."""

from __future__ import annotations

import math

import numpy as np

from anynav.sim.errors import StepError
from anynav.sim.robots import Limits

__all__ = ["VelocityLimiter"]


class VelocityLimiter:
    """Clips a body-frame command (vx, vy, wz) to the robot's speeds and slews it at its accelerations.

    The linear acceleration limit applies to the (vx, vy) vector, so a diagonal change is
    no faster than a straight one.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.current = np.zeros(3)

    def apply(self, vx: float, vy: float, wz: float, dt: float) -> np.ndarray:
        """The command the base tracks after ``dt`` seconds of slewing toward (vx, vy, wz)."""
        if not all(math.isfinite(v) for v in (vx, vy, wz)):
            raise StepError(f"velocity command must be finite, got vx={vx}, vy={vy}, wz={wz}")
        lim = self.limits
        target = np.array(
            [
                min(max(vx, lim.min_vx), lim.max_vx),
                min(max(vy, -lim.max_vy), lim.max_vy),
                min(max(wz, -lim.max_wz), lim.max_wz),
            ]
        )
        delta = target - self.current
        linear = math.hypot(delta[0], delta[1])
        max_linear = lim.max_accel * dt
        if linear > max_linear:
            delta[:2] *= max_linear / linear
        delta[2] = min(max(delta[2], -lim.max_yaw_accel * dt), lim.max_yaw_accel * dt)
        self.current = self.current + delta
        return self.current.copy()
