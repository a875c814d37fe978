"""Recent base poses (odometry), looked up at a cloud's capture time: the motion compensation of the height map."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from anynav.msgs.geometry import rpy_to_matrix
from anynav.perception.errors import HeightMapConfigError
from anynav.perception.heightmap import pose_matrix


def mount_matrix(xyz: tuple[float, float, float], rpy: tuple[float, float, float]) -> np.ndarray:
    """The 4×4 pose of a sensor in the base frame from a URDF-style origin (xyz m, rpy rad)."""
    matrix = np.eye(4)
    matrix[:3, :3] = rpy_to_matrix(*rpy)
    matrix[:3, 3] = xyz
    return matrix


@dataclass(frozen=True)
class PoseHistoryConfig:
    """How much odometry is kept and how far a lookup may reach past it.

    horizon_s: samples older than the newest minus this are forgotten; it must cover the
        height-map window plus the clouds' transport delay.
    max_gap_s: a lookup later than the newest sample (or earlier than the oldest) by at most
        this gets that sample's pose; further away there is no pose and the cloud is dropped.
    """

    horizon_s: float = 1.0
    max_gap_s: float = 0.1

    def __post_init__(self) -> None:
        for name, high in (("horizon_s", 10.0), ("max_gap_s", 1.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 < value <= high:
                raise HeightMapConfigError(f"PoseHistoryConfig.{name}={value!r}: expected a number in (0, {high}]")


class PoseHistory:
    """Time-sorted odometry poses; `at(t)` interpolates between the two samples around t.

    Translation is interpolated linearly and rotation by normalised quaternion lerp: odometry
    arrives at ≥ 20 Hz, so consecutive samples differ by a few degrees at most and nlerp's
    error against slerp stays far below a hundredth of a degree.
    """

    def __init__(self, config: PoseHistoryConfig | None = None) -> None:
        self.config = config or PoseHistoryConfig()
        self._stamps: list[int] = []
        self._positions: list[np.ndarray] = []
        self._quats: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self._stamps)

    @property
    def newest_ns(self) -> int | None:
        """Stamp of the newest sample (None before the first)."""
        return self._stamps[-1] if self._stamps else None

    def clear(self) -> None:
        """Forget every sample (odometry was reset)."""
        self._stamps.clear()
        self._positions.clear()
        self._quats.clear()

    def add(self, stamp_ns: int, position: np.ndarray, quat_xyzw: np.ndarray) -> None:
        """Keep one pose of the base in odom; CloudError for a non-finite or zero-length input."""
        pose_matrix((position, quat_xyzw), "odometry pose")  # raises CloudError for bad numbers
        quat = np.asarray(quat_xyzw, dtype=np.float64)
        quat = quat / np.linalg.norm(quat)
        index = bisect.bisect_right(self._stamps, stamp_ns)
        self._stamps.insert(index, int(stamp_ns))
        self._positions.insert(index, np.asarray(position, dtype=np.float64))
        self._quats.insert(index, quat)
        horizon = self._stamps[-1] - round(self.config.horizon_s * 1e9)
        drop = bisect.bisect_left(self._stamps, horizon)
        if drop:
            del self._stamps[:drop], self._positions[:drop], self._quats[:drop]

    def latest(self) -> np.ndarray | None:
        """The newest pose as a 4×4 matrix (None before the first sample)."""
        if not self._stamps:
            return None
        return pose_matrix((self._positions[-1], self._quats[-1]))

    def at(self, stamp_ns: int) -> np.ndarray | None:
        """The base pose at `stamp_ns` as a 4×4 matrix, or None when the history does not reach it."""
        if not self._stamps:
            return None
        gap = round(self.config.max_gap_s * 1e9)
        if stamp_ns >= self._stamps[-1]:
            return self._pose(-1) if stamp_ns - self._stamps[-1] <= gap else None
        if stamp_ns <= self._stamps[0]:
            return self._pose(0) if self._stamps[0] - stamp_ns <= gap else None
        after = bisect.bisect_right(self._stamps, stamp_ns)
        before = after - 1
        span = self._stamps[after] - self._stamps[before]
        weight = (stamp_ns - self._stamps[before]) / span if span else 0.0
        position = (1.0 - weight) * self._positions[before] + weight * self._positions[after]
        q0, q1 = self._quats[before], self._quats[after]
        if float(np.dot(q0, q1)) < 0.0:  # the same rotation, the short way round
            q1 = -q1
        quat = (1.0 - weight) * q0 + weight * q1
        return pose_matrix((position, quat))

    def _pose(self, index: int) -> np.ndarray:
        return pose_matrix((self._positions[index], self._quats[index]))
