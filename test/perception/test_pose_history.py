"""Odometry lookup at a cloud's capture time and the URDF mount transform, against hand-derived poses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from anynav.msgs.geometry import quaternion_from_yaw, rpy_to_matrix
from anynav.perception.errors import CloudError, HeightMapConfigError
from anynav.perception.pose_history import PoseHistory, PoseHistoryConfig, mount_matrix

MS = 1_000_000


def test_rpy_follows_the_urdf_convention() -> None:
    quarter = math.pi / 2
    assert np.allclose(rpy_to_matrix(0.0, 0.0, quarter), [[0, -1, 0], [1, 0, 0], [0, 0, 1]])
    assert np.allclose(rpy_to_matrix(math.pi, 0.0, 0.0), np.diag((1.0, -1.0, -1.0)))
    # Fixed axes: roll first, then yaw. Rz(90°)·Rx(180°) maps x→y, y→x, z→−z.
    assert np.allclose(rpy_to_matrix(math.pi, 0.0, quarter), [[0, 1, 0], [1, 0, 0], [0, 0, -1]])
    # Pitch +90° turns the x axis to point down.
    assert np.allclose(rpy_to_matrix(0.0, quarter, 0.0) @ (1.0, 0.0, 0.0), (0.0, 0.0, -1.0))


def test_mount_matrix_places_the_sensor() -> None:
    mount = mount_matrix((0.3, 0.0, -0.05), (0.0, 0.0, math.pi))
    assert np.allclose(mount @ (1.0, 0.0, 0.0, 1.0), (-0.7, 0.0, -0.05, 1.0))


def test_interpolates_between_samples() -> None:
    history = PoseHistory()
    history.add(0, np.array((0.0, 0.0, 0.3)), quaternion_from_yaw(0.0))
    history.add(100 * MS, np.array((1.0, 2.0, 0.3)), quaternion_from_yaw(0.2))
    pose = history.at(25 * MS)
    assert pose is not None
    assert np.allclose(pose[:3, 3], (0.25, 0.5, 0.3))
    assert math.atan2(pose[1, 0], pose[0, 0]) == pytest.approx(0.05, abs=1e-4)


def test_takes_the_short_way_round_across_pi() -> None:
    history = PoseHistory()
    history.add(0, np.zeros(3), quaternion_from_yaw(math.pi - 0.1))
    # 0.2 rad further, quaternions of opposite sign
    history.add(100 * MS, np.zeros(3), quaternion_from_yaw(-math.pi + 0.1))
    pose = history.at(50 * MS)
    assert pose is not None
    assert abs(math.atan2(pose[1, 0], pose[0, 0])) == pytest.approx(math.pi, abs=1e-3)


def test_holds_the_ends_only_within_max_gap() -> None:
    history = PoseHistory(PoseHistoryConfig(horizon_s=1.0, max_gap_s=0.05))
    history.add(100 * MS, np.array((1.0, 0.0, 0.0)), quaternion_from_yaw(0.0))
    history.add(200 * MS, np.array((2.0, 0.0, 0.0)), quaternion_from_yaw(0.0))
    assert history.at(240 * MS)[0, 3] == pytest.approx(2.0)  # type: ignore[index]
    assert history.at(60 * MS)[0, 3] == pytest.approx(1.0)  # type: ignore[index]
    assert history.at(260 * MS) is None
    assert history.at(40 * MS) is None


def test_out_of_order_samples_are_sorted_and_old_ones_forgotten() -> None:
    history = PoseHistory(PoseHistoryConfig(horizon_s=0.5, max_gap_s=0.05))
    history.add(200 * MS, np.array((2.0, 0.0, 0.0)), quaternion_from_yaw(0.0))
    history.add(100 * MS, np.array((1.0, 0.0, 0.0)), quaternion_from_yaw(0.0))
    assert history.at(150 * MS)[0, 3] == pytest.approx(1.5)  # type: ignore[index]
    history.add(900 * MS, np.array((9.0, 0.0, 0.0)), quaternion_from_yaw(0.0))
    assert len(history) == 1
    assert history.latest()[0, 3] == pytest.approx(9.0)  # type: ignore[index]


def test_rejects_bad_samples_and_settings() -> None:
    history = PoseHistory()
    with pytest.raises(CloudError, match="odometry pose"):
        history.add(0, np.array((math.nan, 0.0, 0.0)), quaternion_from_yaw(0.0))
    with pytest.raises(CloudError, match="zero length"):
        history.add(0, np.zeros(3), np.zeros(4))
    assert history.at(0) is None and history.latest() is None
    with pytest.raises(HeightMapConfigError, match=r"max_gap_s=0: expected a number in \(0, 1.0\]"):
        PoseHistoryConfig(max_gap_s=0)
