"""The onnxruntime runtime: same waypoints as torch, base_link frames, and an embedding cache by stamp."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from policy_helpers import SMALL_CITYWALKER, SMALL_LOGONAV, Exported, random_images

from anynav.policy import Frame, Goal, PolicyRuntime, positions_in_current_frame
from anynav.policy.card import CARD_FILE
from anynav.policy.citywalker import processor as cw_processor
from anynav.policy.errors import ModelCardError, PolicyConfigError, PolicyInputError
from anynav.policy.logonav import processor as ln_processor
from anynav.policy.runtime import EmbeddingCache, choose_providers

NS = 1_000_000_000


def _frames(images: list[np.ndarray], first: int, count: int, spacing_s: float) -> list[Frame]:
    return [Frame(int((first + k) * spacing_s * NS), images[(first + k) % len(images)]) for k in range(count)]


def test_logonav_plan_matches_torch_in_base_link(logonav_small: Exported) -> None:
    runtime = PolicyRuntime(logonav_small.directory, output_scale_m=0.1)
    frames = _frames(random_images(6, 240, 320, seed=1), 0, 6, 0.3)
    goal = Goal(6.0, -2.0, 0.4)

    plan = runtime.plan(frames, goal)

    images = torch.from_numpy(np.stack([ln_processor.preprocess_frame(f.image, SMALL_LOGONAV) for f in frames]))
    goal_units = torch.tensor([[6.0 / 0.25, -2.0 / 0.25, math.cos(0.4), math.sin(0.4)]])
    with torch.no_grad():
        out = logonav_small.net(images.unsqueeze(0), goal_units)[0].numpy()
    np.testing.assert_allclose(plan.waypoints, out[:, :2] * 0.1, atol=1e-5)
    np.testing.assert_allclose(plan.yaws, np.arctan2(out[:, 3], out[:, 2]), atol=1e-4)
    assert plan.stamp_ns == frames[-1].stamp_ns
    assert plan.arrival_probability is None
    assert plan.waypoint_dt_s == pytest.approx(1 / 3)


def test_citywalker_plan_converts_base_link_to_the_model_frame_and_back(citywalker_small: Exported) -> None:
    runtime = PolicyRuntime(citywalker_small.directory, output_scale_m=0.8)
    frames = _frames(random_images(5, 120, 200, seed=2), 0, 5, 1.0)
    # Walking forward (+x) and drifting left (+y); the goal is ahead and to the right.
    positions = np.array([[-3.2, -0.4], [-2.4, -0.3], [-1.6, -0.2], [-0.8, -0.1], [0.0, 0.0]])
    goal = Goal(8.0, -4.0)

    plan = runtime.plan(frames, goal, positions)

    # The model frame written out by hand: x right = -y_left, y forward = x_forward, over the step scale.
    points = np.vstack([positions, [goal.x, goal.y]])
    coords = np.stack([-points[:, 1], points[:, 0]], axis=-1) / 0.8
    images = torch.from_numpy(np.stack([cw_processor.preprocess_frame(f.image, SMALL_CITYWALKER) for f in frames]))
    with torch.no_grad():
        wp, logit = citywalker_small.net(images.unsqueeze(0), torch.from_numpy(coords).float().unsqueeze(0))
    wp = wp[0].numpy()
    expected = np.stack([wp[:, 1], -wp[:, 0]], axis=-1) * 0.8  # forward = y_model, left = -x_model
    np.testing.assert_allclose(plan.waypoints, expected, atol=1e-5)
    assert plan.arrival_probability == pytest.approx(1 / (1 + math.exp(-float(logit))), abs=1e-5)
    assert plan.yaws is None
    assert plan.frames_encoded == 5
    # One second later four frames are the same: only the new one goes through DINOv2.
    later = _frames(random_images(6, 120, 200, seed=2), 1, 5, 1.0)
    assert runtime.plan(later, goal, positions - [0.8, 0.1]).frames_encoded == 1


def test_cache_encodes_only_new_frames(logonav_small: Exported) -> None:
    images = random_images(12, 240, 320, seed=3)
    cached = PolicyRuntime(logonav_small.directory)
    uncached = PolicyRuntime(logonav_small.directory, cache_frames=0)
    goal = Goal(10.0, 3.0, 0.0)

    encoded = []
    for tick in range(4):
        frames = _frames(images, tick, 6, 0.3)
        plan = cached.plan(frames, goal)
        reference = uncached.plan(frames, goal)
        encoded.append(plan.frames_encoded)
        np.testing.assert_allclose(plan.waypoints, reference.waypoints, atol=1e-6)
        assert reference.frames_encoded == 6

    assert encoded == [6, 1, 1, 1]
    assert (cached.stats.encoder_runs, cached.stats.frames_encoded, cached.stats.cache_hits) == (4, 9, 15)
    assert uncached.stats.frames_encoded == 24
    cached.reset()
    assert cached.plan(_frames(images, 3, 6, 0.3), goal).frames_encoded == 6


def test_embedding_cache_drops_the_least_recently_used() -> None:
    cache = EmbeddingCache(2)
    cache.put(1, np.zeros(2))
    cache.put(2, np.ones(2))
    assert cache.get(1) is not None  # 1 is now the most recent
    cache.put(3, np.ones(2))
    assert cache.get(2) is None and cache.get(1) is not None and cache.get(3) is not None
    with pytest.raises(PolicyConfigError, match="cache_frames=-1"):
        EmbeddingCache(-1)


def test_output_scale_scales_waypoints(logonav_small: Exported) -> None:
    frames = _frames(random_images(6, 96, 96, seed=4), 0, 6, 0.3)
    default = PolicyRuntime(logonav_small.directory).plan(frames, Goal(5.0, 0.0))
    doubled = PolicyRuntime(logonav_small.directory, output_scale_m=0.25).plan(frames, Goal(5.0, 0.0))
    np.testing.assert_allclose(doubled.waypoints, default.waypoints * 2.0, rtol=1e-6, atol=1e-9)
    with pytest.raises(PolicyConfigError, match="output_scale_m=0.0"):
        PolicyRuntime(logonav_small.directory, output_scale_m=0.0)


def test_bad_inputs_are_named(logonav_small: Exported, citywalker_small: Exported) -> None:
    runtime = PolicyRuntime(logonav_small.directory)
    images = random_images(6, 64, 64, seed=5)
    frames = _frames(images, 0, 6, 0.3)
    with pytest.raises(PolicyInputError, match="takes exactly 6 frames, oldest first, 0.3 s apart; got 5"):
        runtime.plan(frames[:5], Goal(1.0, 0.0))
    with pytest.raises(PolicyInputError, match=r"frames\[3\].stamp_ns=600000000 is not after"):
        runtime.plan([*frames[:3], frames[2], *frames[4:]], Goal(1.0, 0.0))
    gray = [Frame(f.stamp_ns, f.image[..., 0]) for f in frames]
    with pytest.raises(PolicyInputError, match=r"frames\[0\]: expected an H x W x 3 uint8 RGB array"):
        runtime.plan(gray, Goal(1.0, 0.0))
    with pytest.raises(PolicyInputError, match="Goal.x=nan"):
        Goal(float("nan"), 0.0)

    walker = PolicyRuntime(citywalker_small.directory)
    with pytest.raises(PolicyInputError, match="CityWalker needs the robot's position"):
        walker.plan(frames[:5], Goal(5.0, 0.0))
    with pytest.raises(PolicyInputError, match=r"expected a finite \[5, 2\] array"):
        walker.plan(frames[:5], Goal(5.0, 0.0), np.zeros((4, 2)))


def test_providers_are_ordered_tensorrt_cuda_cpu() -> None:
    available = ["CPUExecutionProvider", "CUDAExecutionProvider", "AzureExecutionProvider", "TensorrtExecutionProvider"]
    assert choose_providers(available) == ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers(["AzureExecutionProvider", "CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert choose_providers(available, ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    with pytest.raises(PolicyConfigError, match="CUDAExecutionProvider not available"):
        choose_providers(["CPUExecutionProvider"], ["CUDAExecutionProvider"])


def test_missing_graph_is_reported(logonav_small: Exported, tmp_path: Path) -> None:
    shutil.copy(logonav_small.directory / CARD_FILE, tmp_path / CARD_FILE)
    shutil.copy(logonav_small.directory / "encoder.onnx", tmp_path / "encoder.onnx")
    with pytest.raises(ModelCardError, match="head.onnx: graph named by"):
        PolicyRuntime(tmp_path)
    with pytest.raises(ModelCardError, match="no model card"):
        PolicyRuntime(tmp_path / "nowhere")


def test_swapped_graphs_are_rejected(logonav_small: Exported, citywalker_small: Exported, tmp_path: Path) -> None:
    for name in ("encoder.onnx", "head.onnx"):
        shutil.copy(logonav_small.directory / name, tmp_path / name)
    card = json.loads((citywalker_small.directory / CARD_FILE).read_text())
    (tmp_path / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelCardError, match="the card's model expects"):
        PolicyRuntime(tmp_path)


def test_frame_conversion_between_base_link_and_citywalker() -> None:
    forward_left = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -3.0]])
    model = cw_processor.base_link_to_model(forward_left, 0.5)
    np.testing.assert_allclose(model, [[0.0, 2.0], [-2.0, 0.0], [6.0, 4.0]])  # (right, forward) / 0.5
    np.testing.assert_allclose(cw_processor.model_to_base_link(model, 0.5), forward_left)
    origin = cw_processor.base_link_to_model(np.zeros((1, 2)), 1.0)
    assert not np.signbit(origin).any()  # +0.0, so the polar embedding gives the origin theta 0


def test_positions_in_current_frame() -> None:
    # Robot drove north along x = 5 in odom, facing north (yaw pi/2) at the end.
    poses = np.array([[5.0, 0.0, math.pi / 2], [5.0, 1.0, math.pi / 2], [5.0, 2.0, math.pi / 2]])
    np.testing.assert_allclose(positions_in_current_frame(poses), [[-2.0, 0.0], [-1.0, 0.0], [0.0, 0.0]], atol=1e-12)
    # A point east of a north-facing robot is to its right (negative y).
    east = positions_in_current_frame(np.array([[6.0, 2.0, 0.0], [5.0, 2.0, math.pi / 2]]))
    np.testing.assert_allclose(east[0], [0.0, -1.0], atol=1e-12)
    with pytest.raises(PolicyInputError, match=r"\[T, 3\]"):
        positions_in_current_frame(np.zeros((3, 2)))


def test_logonav_goal_units_and_clipping() -> None:
    np.testing.assert_allclose(
        ln_processor.goal_to_model(Goal(3.0, 4.0, math.pi / 2), SMALL_LOGONAV), [12, 16, 0, 1], atol=1e-6
    )
    # 60 m ahead is pulled in to 30 m along the same bearing: 30 / 0.25 = 120 units.
    np.testing.assert_allclose(ln_processor.goal_to_model(Goal(0.0, -60.0), SMALL_LOGONAV), [0, -120, 1, 0], atol=1e-5)


def test_preprocessing() -> None:
    mean_color = np.round(np.array(SMALL_LOGONAV.image_mean) * 255).astype(np.uint8)
    flat = np.broadcast_to(mean_color, (480, 640, 3)).copy()
    out = ln_processor.preprocess_frame(flat, SMALL_LOGONAV)
    assert out.shape == (3, 96, 96) and out.dtype == np.float32
    assert np.abs(out).max() < 0.01  # whole frame squashed, ImageNet mean removed

    # A frame already at the cover size (60x100) is only centre-cropped to 56x98: rows 2..57, cols 1..98.
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 256, size=(60, 100, 3), dtype=np.uint8)
    crop = cw_processor.preprocess_frame(frame, SMALL_CITYWALKER)
    np.testing.assert_allclose(crop, frame[2:58, 1:99].transpose(2, 0, 1) / 255.0, atol=1e-7)
    # A 4:3 frame is scaled to cover the width (100 px -> 75 rows), then cropped in the middle.
    assert cw_processor.preprocess_frame(
        rng.integers(0, 256, (300, 400, 3), dtype=np.uint8), SMALL_CITYWALKER
    ).shape == (3, 56, 98)
