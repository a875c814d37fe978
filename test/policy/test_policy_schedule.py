"""Tick schedule by stamp, and static frames from /tf_static."""

from __future__ import annotations

import math

import numpy as np
import pytest

from anynav.policy.errors import PolicyConfigError, PolicyInputError
from anynav.policy.frames import StaticFrames
from anynav.policy.schedule import TickSchedule

MS = 1_000_000


def _ticks(schedule: TickSchedule, stamps_ms: list[int]) -> list[int]:
    return [s for s in stamps_ms if schedule.due(s * MS)]


def test_camera_at_a_multiple_of_the_policy_rate_ticks_one_context_spacing_apart() -> None:
    # 10 Hz camera with +-3 ms jitter, LogoNav 3.33 Hz: every third frame.
    rng = np.random.default_rng(0)
    stamps = [100 * k + int(rng.integers(-3, 4)) for k in range(30)]
    ticks = _ticks(TickSchedule(1 / 0.3), stamps)
    assert ticks == stamps[::3]


def test_slower_camera_keeps_the_average_rate() -> None:
    # 5 Hz camera, 3.33 Hz policy: ticks alternate 0.4 s / 0.2 s apart, 3.33 Hz on average.
    ticks = _ticks(TickSchedule(1 / 0.3), [200 * k for k in range(31)])
    assert len(ticks) == 21
    assert set(np.diff(ticks)) == {200, 400}


def test_gap_and_clock_jump_start_a_new_grid() -> None:
    schedule = TickSchedule(5.0)
    assert _ticks(schedule, [0, 100, 200, 1000, 1100, 1200]) == [0, 200, 1000, 1200]
    assert _ticks(schedule, [50, 150, 250]) == [50, 250]  # stamps went back: a bag looped


def test_schedule_rejects_bad_settings() -> None:
    with pytest.raises(PolicyConfigError, match="rate_hz"):
        TickSchedule(0.0)
    with pytest.raises(PolicyConfigError, match="early_fraction"):
        TickSchedule(5.0, early_fraction=0.5)


def test_static_frames_chain_and_inverse() -> None:
    frames = StaticFrames()
    # The LiDAR hangs 0.28 m ahead of and 0.05 m below base_link, via a mount turned 90 degrees left.
    half = math.sqrt(0.5)
    frames.set("base_link", "mount", (0.28, 0.0, -0.05), (0.0, 0.0, half, half))
    frames.set("mount", "utlidar_lidar", (0.0, 0.0, 0.0), (0.0, 0.0, -half, half))
    points = frames.transform_points(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.5]]), "base_link", "utlidar_lidar")
    np.testing.assert_allclose(points, [[1.28, 0.0, -0.05], [0.28, 1.0, 0.45]], atol=1e-12)
    back = frames.transform_points(points, "utlidar_lidar", "base_link")
    np.testing.assert_allclose(back, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.5]], atol=1e-12)
    np.testing.assert_allclose(frames.lookup("base_link", "base_link"), np.eye(4))


def test_static_frames_say_what_is_missing() -> None:
    frames = StaticFrames()
    frames.set("base_link", "camera", (0.3, 0.0, 0.0), (0.0, 0.0, 0.0, 1.0))
    with pytest.raises(PolicyInputError, match="'livox_frame' to 'base_link'.*base_link, camera"):
        frames.lookup("base_link", "livox_frame")
    with pytest.raises(PolicyInputError, match="not a rotation"):
        frames.set("base_link", "imu", (0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0))
