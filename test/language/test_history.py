"""Frame history: kept per motion like NaVILA, sampled 7 + current, padded black, JPEG at 384² (small here)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from anynav.language import FrameError, FrameHistory, FrameHistoryConfig, Pose2D, encode_frame
from anynav.language.history import history_indices

SMALL = FrameHistoryConfig(image_size=32, jpeg_quality=95)


def frame(value: int, height: int = 24, width: int = 40) -> np.ndarray:
    return np.full((height, width, 3), value, np.uint8)


def grey_levels(jpegs: list[bytes]) -> list[int]:
    return [round(float(cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR).mean())) for j in jpegs]


@pytest.mark.parametrize("count", [8, 9, 15, 29, 100, 501])
def test_indices_match_navilas_linspace(count: int) -> None:
    expected = np.linspace(0, count - 1, 7, endpoint=False, dtype=int).tolist()
    assert history_indices(count, 7) == expected
    assert history_indices(count, 7)[0] == 0


def test_first_frame_is_kept_and_padded_with_black() -> None:
    history = FrameHistory(SMALL)
    assert history.offer(0.0, frame(200))
    sample = history.sample()
    assert len(sample) == 8
    assert grey_levels(sample) == [0] * 7 + [200]


def test_sample_spreads_history_and_ends_with_the_current_frame() -> None:
    history = FrameHistory(SMALL)
    for i in range(20):  # 20 frames 0.3 m apart: every one is kept
        assert history.offer(float(i), frame(10 * i), pose=Pose2D(0.3 * i, 0.0, 0.0))
    history.offer(20.5, frame(250), pose=Pose2D(5.7 + 0.01, 0.0, 0.0))  # current view, not a history frame
    assert len(history) == 20
    levels = grey_levels(history.sample())
    assert levels == [10 * i for i in history_indices(21, 7)] + [250]


def test_odometry_keeps_a_frame_per_25_cm_or_15_degrees() -> None:
    history = FrameHistory(SMALL)
    for step in range(121):  # 4 s at 30 Hz, 0.5 m/s: 2 m
        t = step / 30.0
        history.offer(t, frame(100), pose=Pose2D(0.5 * t, 0.0, 0.0))
    assert len(history) == 1 + 8
    for step in range(1, 61):  # then 2 s turning at 30 deg/s: 60 degrees
        t = 4.0 + step / 30.0
        history.offer(t, frame(100), pose=Pose2D(2.0, 0.0, math.radians(30.0) * step / 30.0))
    assert len(history) == 1 + 8 + 4


def test_standing_still_keeps_nothing_even_with_odometry_noise() -> None:
    history = FrameHistory(SMALL)
    rng = np.random.default_rng(0)
    for step in range(600):  # 20 s standing, 1 cm / 0.5 deg of jitter
        noise = rng.normal(0.0, [0.01, 0.01, math.radians(0.5)])
        history.offer(step / 30.0, frame(100), pose=Pose2D(*noise))
    assert len(history) == 1


def test_without_odometry_time_counts_only_while_moving() -> None:
    history = FrameHistory(SMALL)
    for step in range(61):  # 2 s commanded to move
        history.offer(step / 30.0, frame(100), moving=True)
    assert len(history) == 1 + 4
    for step in range(61, 361):  # 10 s standing
        history.offer(step / 30.0, frame(100), moving=False)
    assert len(history) == 1 + 4


def test_a_gap_in_stamps_keeps_one_frame_not_a_burst() -> None:
    history = FrameHistory(SMALL)
    history.offer(0.0, frame(1), moving=True)
    history.offer(3.0, frame(2), moving=True)
    kept = [history.offer(3.0 + i / 30.0, frame(3), moving=True) for i in range(1, 10)]
    assert len(history) == 2 and not any(kept)


def test_frames_are_decoded_only_when_kept() -> None:
    history = FrameHistory(SMALL)
    calls = []

    def decode(value: int):
        def run() -> np.ndarray:
            calls.append(value)
            return frame(value)

        return run

    history.offer(0.0, decode(1), pose=Pose2D(0.0, 0.0, 0.0))
    history.offer(0.1, decode(2), pose=Pose2D(0.05, 0.0, 0.0))
    history.offer(0.2, decode(3), pose=Pose2D(0.30, 0.0, 0.0))
    history.offer(0.3, decode(4), pose=Pose2D(0.32, 0.0, 0.0))
    assert calls == [1, 3]
    history.sample()
    assert calls == [1, 3, 4]  # the current view is decoded for the query


def test_reset_starts_from_the_newest_view() -> None:
    history = FrameHistory(SMALL)
    for i in range(5):
        history.offer(float(i), frame(50 + i), moving=True)
    history.reset()
    assert len(history) == 1
    assert grey_levels(history.sample()) == [0] * 7 + [54]
    assert history.latest_stamp == 4.0


def test_no_frame_means_no_query() -> None:
    with pytest.raises(FrameError, match="no camera frame"):
        FrameHistory(SMALL).sample()


def test_long_history_is_thinned_keeping_first_and_newest() -> None:
    history = FrameHistory(FrameHistoryConfig(image_size=32, jpeg_quality=95, max_frames=16))
    for i in range(40):
        history.offer(float(i), frame(5 * i + 5), pose=Pose2D(0.3 * i, 0.0, 0.0))
    assert 8 <= len(history) <= 16
    levels = grey_levels(history.sample())
    assert levels[0] == 5 and levels[-1] == 200


def test_encode_stretches_and_keeps_colour_order() -> None:
    red = np.zeros((48, 64, 3), np.uint8)
    red[..., 0] = 255
    decoded = cv2.imdecode(np.frombuffer(encode_frame(red, 32, 95), np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (32, 32, 3)
    assert decoded[..., 2].mean() > 240 and decoded[..., 0].mean() < 15  # BGR after decoding: red is last


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((8, 8), np.uint8),
        np.zeros((8, 8, 4), np.uint8),
        np.zeros((8, 8, 3), np.float32),
        np.zeros((0, 8, 3), np.uint8),
    ],
)
def test_bad_frames_are_rejected_naming_the_shape(bad: np.ndarray) -> None:
    with pytest.raises(FrameError, match="camera frame"):
        FrameHistory(SMALL).offer(0.0, bad)
