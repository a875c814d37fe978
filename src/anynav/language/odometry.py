"""The newest /odom pose of the language nodes, used only while it is fresh."""

from __future__ import annotations

from typing import Any

from anynav.language.motion import Pose2D
from anynav.msgs.navigation import odometry_to_sample


class LatestPose:
    """The planar pose of the newest nav_msgs/Odometry and when it arrived; older than ``timeout_s`` it is not used."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._pose: Pose2D | None = None
        self._received_ns = 0

    def update(self, msg: Any, now_ns: int) -> None:
        """Keep the pose of ``msg``; a malformed one raises MalformedMessageError and the old pose stays."""
        sample = odometry_to_sample(msg)
        self._pose = Pose2D(float(sample.position[0]), float(sample.position[1]), sample.yaw)
        self._received_ns = now_ns

    def fresh(self, now_ns: int) -> Pose2D | None:
        """The pose, or None before the first one and once it is older than ``timeout_s``."""
        if self._pose is None:
            return None
        return self._pose if 0 <= now_ns - self._received_ns <= self.timeout_s * 1e9 else None
