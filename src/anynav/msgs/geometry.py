"""Rotation maths in ROS conventions (quaternions x, y, z, w; URDF rpy), numpy only: no ROS import."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = [
    "matrix_from_quaternion",
    "quaternion_from_rpy",
    "quaternion_from_yaw",
    "yaw_from_quaternion",
    "rpy_to_matrix",
]


def yaw_from_quaternion(xyzw: Sequence[float] | np.ndarray) -> float:
    """Yaw (rad, about z) of a quaternion in ROS order (x, y, z, w)."""
    x, y, z, w = xyzw
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def quaternion_from_rpy(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """(x, y, z, w) of the URDF/ROS fixed-axis rotation: roll about x, then pitch about y, then yaw about z."""
    cr, sr = math.cos(roll / 2.0), math.sin(roll / 2.0)
    cp, sp = math.cos(pitch / 2.0), math.sin(pitch / 2.0)
    cy, sy = math.cos(yaw / 2.0), math.sin(yaw / 2.0)
    return np.array(
        [
            sr * cp * cy - cr * sp * sy,
            cr * sp * cy + sr * cp * sy,
            cr * cp * sy - sr * sp * cy,
            cr * cp * cy + sr * sp * sy,
        ]
    )


def quaternion_from_yaw(yaw: float) -> np.ndarray:
    """(x, y, z, w) of a rotation by ``yaw`` about z."""
    return np.array([0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0)])


def matrix_from_quaternion(xyzw: Sequence[float] | np.ndarray) -> np.ndarray:
    """3x3 rotation matrix of a unit quaternion in ROS order (x, y, z, w)."""
    x, y, z, w = xyzw
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def rpy_to_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """Rotation matrix of fixed-axis roll, pitch, yaw (URDF ``rpy``: R = Rz(yaw)·Ry(pitch)·Rx(roll))."""
    return matrix_from_quaternion(quaternion_from_rpy(roll, pitch, yaw))
