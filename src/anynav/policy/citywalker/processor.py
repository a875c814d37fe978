"""CityWalker pre- and post-processing: frame crop, and the base_link <-> model frame conversion.

The model frame is (x right, y forward) in step-scale units; REP-103 base_link is (x forward,
y left) in metres, so model = (-y_left, x_forward) / step_scale and back. This module is the
only place that conversion happens.
"""

from __future__ import annotations

import numpy as np

from anynav.policy.citywalker.config import CityWalkerConfig
from anynav.policy.errors import PolicyInputError
from anynav.policy.image import check_rgb8, cover_then_center_crop, to_chw_float

# Names of the head graph's inputs and outputs (export writes them, the runtime feeds them).
HEAD_INPUTS: tuple[str, ...] = ("obs_embeddings", "coords")
HEAD_OUTPUTS: tuple[str, ...] = ("waypoints", "arrival_logit")


def preprocess_frame(image: np.ndarray, config: CityWalkerConfig, where: str = "frame") -> np.ndarray:
    """H x W x 3 uint8 RGB -> [3, 350, 630] float32 in [0, 1] (the graph normalises).

    The frame is scaled to cover 360x640 (the training videos) keeping its aspect, then centre-cropped.
    """
    image = check_rgb8(image, where)
    image = cover_then_center_crop(
        image, config.cover_height, config.cover_width, config.image_height, config.image_width
    )
    return to_chw_float(image, None, None)


def base_link_to_model(xy: np.ndarray, step_scale_m: float) -> np.ndarray:
    """[..., 2] (x forward, y left) metres -> [..., 2] (x right, y forward) in step units."""
    xy = np.asarray(xy, dtype=np.float64)
    # "+ 0.0" turns the -0.0 that negating y = 0 gives back into +0.0, so the origin keeps theta 0.
    return np.stack([-xy[..., 1], xy[..., 0]], axis=-1) / step_scale_m + 0.0


def model_to_base_link(xy: np.ndarray, step_scale_m: float) -> np.ndarray:
    """[..., 2] (x right, y forward) in step units -> [..., 2] (x forward, y left) metres."""
    xy = np.asarray(xy, dtype=np.float64)
    return np.stack([xy[..., 1], -xy[..., 0]], axis=-1) * step_scale_m


def positions_in_current_frame(poses: np.ndarray) -> np.ndarray:
    """[T, 3] poses (x, y, yaw) in any fixed frame (odom, map, ENU) -> [T, 2] in the last pose's base_link.

    CityWalker takes the positions at the context frames' stamps relative to the current one;
    the last row of the result is (0, 0).
    """
    poses = np.asarray(poses, dtype=np.float64)
    if poses.ndim != 2 or poses.shape[1] != 3 or not np.isfinite(poses).all():
        raise PolicyInputError(f"poses: expected a finite [T, 3] array of (x, y, yaw), got shape {poses.shape}")
    x0, y0, yaw0 = poses[-1]
    dx, dy = poses[:, 0] - x0, poses[:, 1] - y0
    cos, sin = np.cos(yaw0), np.sin(yaw0)
    return np.stack([cos * dx + sin * dy, -sin * dx + cos * dy], axis=-1)
