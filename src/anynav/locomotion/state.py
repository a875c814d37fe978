"""What the locomotion controller reads each tick: robot state, command, height map, their age, attitude maths."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class RobotState:
    """Proprioception as the robot bridge reads it, joints in SDK motor order.

    stamp_ns: when the bridge received it (node clock), used for the state TTL.
    base_quat_wxyz: base attitude in the world/odom frame, Unitree IMU order (w, x, y, z).
    base_ang_vel: body-frame gyro, rad/s. joint_pos / joint_vel: one entry per SDK motor slot.
    base_lin_vel: body-frame linear velocity from a state estimator; only H1 policies read it.
    """

    stamp_ns: int
    base_quat_wxyz: np.ndarray
    base_ang_vel: np.ndarray
    joint_pos: np.ndarray
    joint_vel: np.ndarray
    base_lin_vel: np.ndarray | None = None

    def is_finite(self) -> bool:
        """False when any number in the state is NaN or infinite."""
        arrays = [self.base_quat_wxyz, self.base_ang_vel, self.joint_pos, self.joint_vel]
        if self.base_lin_vel is not None:
            arrays.append(self.base_lin_vel)
        return all(bool(np.isfinite(a).all()) for a in arrays)


@dataclass(frozen=True)
class VelocityCommand:
    """A body-frame velocity request (m/s, m/s, rad/s) and when it was received."""

    vx: float
    vy: float
    wz: float
    stamp_ns: int

    def as_array(self) -> np.ndarray:
        """(vx, vy, wz) as float64."""
        return np.array((self.vx, self.vy, self.wz), dtype=np.float64)


@dataclass(frozen=True)
class HeightMapSample:
    """The latest height map the controller holds: policy-order values, build stamp, stale flag."""

    values: np.ndarray
    stamp_ns: int
    stale: bool = False


def too_old(what: str, now_ns: int, stamp_ns: int, ttl_s: float) -> str | None:
    """'<what> N ms old > ttl M ms' when the input stamped `stamp_ns` is older than `ttl_s` at `now_ns`, else None."""
    age = now_ns - stamp_ns
    if age > round(ttl_s * 1e9):
        return f"{what} {age / 1e6:.0f} ms old > ttl {ttl_s * 1e3:.0f} ms"
    return None


def _unit(quat_wxyz: np.ndarray) -> tuple[float, float, float, float]:
    w, x, y, z = (float(v) for v in quat_wxyz)
    norm = math.sqrt(w * w + x * x + y * y + z * z)
    if norm == 0.0 or not math.isfinite(norm):
        return (math.nan, math.nan, math.nan, math.nan)
    return (w / norm, x / norm, y / norm, z / norm)


def quat_to_rpy(quat_wxyz: np.ndarray) -> np.ndarray:
    """Roll, pitch, yaw (ZYX, each in ±π) as legged-loco's base_rpy term computes them."""
    w, x, y, z = _unit(quat_wxyz)
    roll = math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y))
    sin_pitch = 2 * (w * y - z * x)
    pitch = math.copysign(math.pi / 2, sin_pitch) if abs(sin_pitch) >= 1 else math.asin(sin_pitch)
    yaw = math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    return np.array((roll, pitch, yaw))


def projected_gravity(quat_wxyz: np.ndarray) -> np.ndarray:
    """The unit gravity vector (0, 0, −1) expressed in the body frame (minus R's bottom row)."""
    w, x, y, z = _unit(quat_wxyz)
    return -np.array((2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)))
