"""From ENU positions and a heading to a goal in base_link (x forward, y left), per REP-103."""

from __future__ import annotations

import math


def heading_enu(raw_yaw: float, yaw_offset: float = 0.0, clockwise: bool = False) -> float:
    """ENU heading (0 = east, counter-clockwise) from a sensor's yaw, wrapped to (-pi, pi].

    An IMU that reads 0 facing north and turns counter-clockwise needs ``yaw_offset = pi/2``
    (as robot_localization's yaw_offset). A compass that reads clockwise from north
    (radians) needs ``clockwise=True, yaw_offset = pi/2``: heading = pi/2 - compass.
    """
    return wrap_angle((-raw_yaw if clockwise else raw_yaw) + yaw_offset)


def goal_in_base_link(
    robot_en: tuple[float, float], heading: float, goal_en: tuple[float, float]
) -> tuple[float, float]:
    """(x forward, y left) of ``goal_en`` seen from a robot at ``robot_en`` facing ENU ``heading``."""
    dx = goal_en[0] - robot_en[0]
    dy = goal_en[1] - robot_en[1]
    cos_h, sin_h = math.cos(heading), math.sin(heading)
    return cos_h * dx + sin_h * dy, -sin_h * dx + cos_h * dy


def wrap_angle(angle: float) -> float:
    """Angle wrapped to (-pi, pi]."""
    wrapped = math.remainder(angle, 2.0 * math.pi)
    return math.pi if wrapped == -math.pi else wrapped
