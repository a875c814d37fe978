"""Recent robot poses by stamp, interpolated at the context frames' stamps (CityWalker's past positions)."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

import numpy as np

from anynav.policy.errors import PolicyConfigError, PolicyInputError

_NS = 1_000_000_000


class PoseHistory:
    """(x, y, yaw) in a fixed frame (odom), kept for ``keep_s`` and interpolated linearly (yaw on the circle).

    keep_s: history kept behind the newest pose, (0, 600] s.
    max_gap_s: two poses further apart than this are not interpolated between, and a stamp
        further than this beyond the newest pose is not extrapolated to, (0, 10] s.
    """

    def __init__(self, keep_s: float, max_gap_s: float = 0.5) -> None:
        if not (math.isfinite(keep_s) and 0.0 < keep_s <= 600.0):
            raise PolicyConfigError(f"keep_s={keep_s!r} must be in (0, 600] seconds")
        if not (math.isfinite(max_gap_s) and 0.0 < max_gap_s <= 10.0):
            raise PolicyConfigError(f"max_gap_s={max_gap_s!r} must be in (0, 10] seconds")
        self._keep_ns = round(keep_s * _NS)
        self._gap_ns = round(max_gap_s * _NS)
        self._stamps: list[int] = []
        self._poses: list[tuple[float, float, float]] = []

    def __len__(self) -> int:
        return len(self._stamps)

    @property
    def newest_ns(self) -> int | None:
        """Stamp of the newest pose, None before the first."""
        return self._stamps[-1] if self._stamps else None

    def add(self, stamp_ns: int, x: float, y: float, yaw: float) -> None:
        """Insert a pose in stamp order (a repeated stamp replaces); non-finite poses raise PolicyInputError."""
        if not all(math.isfinite(v) for v in (x, y, yaw)):
            raise PolicyInputError(f"pose ({x}, {y}, {yaw}) is not finite")
        stamp_ns = int(stamp_ns)
        if self._stamps and stamp_ns < self._stamps[-1] - self._keep_ns:
            self.clear()  # far older than what we hold: the clock jumped back
        index = bisect.bisect_left(self._stamps, stamp_ns)
        if index < len(self._stamps) and self._stamps[index] == stamp_ns:
            self._poses[index] = (x, y, yaw)
            return
        self._stamps.insert(index, stamp_ns)
        self._poses.insert(index, (x, y, yaw))
        drop = bisect.bisect_left(self._stamps, self._stamps[-1] - self._keep_ns)
        del self._stamps[:drop]
        del self._poses[:drop]

    def clear(self) -> None:
        self._stamps.clear()
        self._poses.clear()

    def at(self, stamp_ns: int) -> tuple[float, float, float]:
        """The pose at ``stamp_ns``; PolicyInputError says why when the history does not cover it."""
        if not self._stamps:
            raise PolicyInputError("no pose received yet")
        stamp_ns = int(stamp_ns)
        index = bisect.bisect_left(self._stamps, stamp_ns)
        if index < len(self._stamps) and self._stamps[index] == stamp_ns:
            return self._poses[index]
        if index == len(self._stamps):
            ahead = stamp_ns - self._stamps[-1]
            if ahead > self._gap_ns:
                raise PolicyInputError(f"newest pose is {ahead / _NS:.2f} s before the frame: odometry stalled?")
            return self._poses[-1]
        if index == 0:
            behind = (self._stamps[0] - stamp_ns) / _NS
            raise PolicyInputError(f"no pose that old: the history starts {behind:.2f} s after the frame")
        t0, t1 = self._stamps[index - 1], self._stamps[index]
        if t1 - t0 > self._gap_ns:
            raise PolicyInputError(f"odometry gap of {(t1 - t0) / _NS:.2f} s around the frame")
        f = (stamp_ns - t0) / (t1 - t0)
        (x0, y0, yaw0), (x1, y1, yaw1) = self._poses[index - 1], self._poses[index]
        yaw = yaw0 + f * math.remainder(yaw1 - yaw0, 2.0 * math.pi)
        return x0 + f * (x1 - x0), y0 + f * (y1 - y0), math.remainder(yaw, 2.0 * math.pi)

    def poses_at(self, stamps_ns: Sequence[int]) -> np.ndarray:
        """[T, 3] poses at each stamp (see ``at``)."""
        return np.array([self.at(stamp) for stamp in stamps_ns], dtype=np.float64)
