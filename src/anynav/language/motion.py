"""Planar pose and velocity tuples shared by the frame history and the executor."""

from __future__ import annotations

import math
from typing import NamedTuple


class Pose2D(NamedTuple):
    """Odometry pose in the odom frame: metres and radians (REP-103: x forward, yaw counter-clockwise)."""

    x: float
    y: float
    yaw: float


class Velocity(NamedTuple):
    """A body-frame velocity command, as geometry_msgs/Twist linear.x, linear.y and angular.z."""

    vx: float
    vy: float
    wz: float


ZERO_VELOCITY = Velocity(0.0, 0.0, 0.0)


def wrap_angle(angle: float) -> float:
    """The same angle in [-π, π)."""
    return (angle + math.pi) % (2.0 * math.pi) - math.pi
