"""QoS profiles with rclpy's names and values, for the dds backend."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ReliabilityPolicy(enum.Enum):
    RELIABLE = "reliable"
    BEST_EFFORT = "best_effort"


class DurabilityPolicy(enum.Enum):
    VOLATILE = "volatile"
    TRANSIENT_LOCAL = "transient_local"


class HistoryPolicy(enum.Enum):
    KEEP_LAST = "keep_last"
    KEEP_ALL = "keep_all"


@dataclass(frozen=True)
class QoSProfile:
    """The QoS settings a ROS 2 endpoint offers or requests (rclpy.qos.QoSProfile's fields)."""

    depth: int = 10
    history: HistoryPolicy = HistoryPolicy.KEEP_LAST
    reliability: ReliabilityPolicy = ReliabilityPolicy.RELIABLE
    durability: DurabilityPolicy = DurabilityPolicy.VOLATILE

    def __post_init__(self) -> None:
        if self.history is HistoryPolicy.KEEP_LAST and self.depth < 1:
            raise ValueError(f"QoSProfile.depth must be >= 1 with KEEP_LAST, got {self.depth}")


qos_profile_system_default = QoSProfile()
qos_profile_sensor_data = QoSProfile(depth=5, reliability=ReliabilityPolicy.BEST_EFFORT)
QOS_LATCHED = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
qos_profile_clock = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)


def as_profile(qos: QoSProfile | int) -> QoSProfile:
    """rclpy accepts a bare int as 'keep last N, otherwise default'."""
    if isinstance(qos, QoSProfile):
        return qos
    if isinstance(qos, int) and not isinstance(qos, bool):
        return QoSProfile(depth=qos)
    raise TypeError(f"qos must be a QoSProfile or a history depth (int), got {qos!r}")
