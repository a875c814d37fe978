"""Fixed sensor frames from /tf_static: bring LiDAR points into base_link without a tf2 install.

Only static transforms are kept (sensor mounts); a chain of them is composed up to the
common root, so `utlidar_lidar -> base_link` works whether the mount is published relative
to base_link or through an intermediate frame.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from anynav.msgs.geometry import matrix_from_quaternion
from anynav.policy.errors import PolicyInputError

_MAX_DEPTH = 64


def rotation_matrix(quaternion_xyzw: Sequence[float]) -> np.ndarray:
    """3x3 rotation of a quaternion (x, y, z, w); a zero or non-finite quaternion raises PolicyInputError."""
    x, y, z, w = (float(v) for v in quaternion_xyzw)
    norm = math.sqrt(x * x + y * y + z * z + w * w)
    if not (math.isfinite(norm) and norm > 1e-9):
        raise PolicyInputError(f"quaternion {tuple(quaternion_xyzw)} is not a rotation")
    return matrix_from_quaternion(np.array((x, y, z, w)) / norm)


class StaticFrames:
    """A tree of fixed transforms, parent <- child, as /tf_static carries them."""

    def __init__(self) -> None:
        self._parent: dict[str, tuple[str, np.ndarray]] = {}  # child -> (parent, 4x4 pose of child in parent)

    def __len__(self) -> int:
        return len(self._parent)

    def set(self, parent: str, child: str, translation: Sequence[float], quaternion_xyzw: Sequence[float]) -> None:
        """Add or replace the pose of ``child`` in ``parent`` (a TransformStamped's header.frame_id, child_frame_id)."""
        parent, child = parent.lstrip("/"), child.lstrip("/")
        if not parent or not child or parent == child:
            raise PolicyInputError(f"transform {parent!r} <- {child!r}: frames must be distinct and non-empty")
        offset = np.asarray(translation, dtype=np.float64).reshape(3)
        if not np.isfinite(offset).all():
            raise PolicyInputError(f"transform {parent!r} <- {child!r}: translation {offset} is not finite")
        pose = np.eye(4)
        pose[:3, :3] = rotation_matrix(quaternion_xyzw)
        pose[:3, 3] = offset
        self._parent[child] = (parent, pose)

    def lookup(self, target: str, source: str) -> np.ndarray:
        """4x4 transform taking points in ``source`` to ``target``; PolicyInputError when nothing links them."""
        target, source = target.lstrip("/"), source.lstrip("/")
        if target == source:
            return np.eye(4)
        root_s, pose_s = self._to_root(source)
        root_t, pose_t = self._to_root(target)
        if root_s != root_t:
            known = ", ".join(sorted(set(self._parent) | {p for p, _ in self._parent.values()})) or "none"
            raise PolicyInputError(
                f"no static transform links {source!r} to {target!r} (frames on /tf_static: {known})"
            )
        return np.linalg.inv(pose_t) @ pose_s

    def transform_points(self, points: np.ndarray, target: str, source: str) -> np.ndarray:
        """(N, 3) points in ``source`` expressed in ``target``."""
        matrix = self.lookup(target, source)
        points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        transformed: np.ndarray = points @ matrix[:3, :3].T + matrix[:3, 3]
        return transformed

    def _to_root(self, frame: str) -> tuple[str, np.ndarray]:
        pose = np.eye(4)
        for _ in range(_MAX_DEPTH):
            if frame not in self._parent:
                return frame, pose
            parent, link = self._parent[frame]
            pose = link @ pose
            frame = parent
        raise PolicyInputError(f"/tf_static holds a loop or a chain deeper than {_MAX_DEPTH} at {frame!r}")
