"""LogoNav pre- and post-processing: frame resize and normalisation, goal and waypoint units.

Kept out of the network (as LeRobot does) so export, runtime and any training share one copy.
"""

from __future__ import annotations

import math

import numpy as np

from anynav.policy.image import check_rgb8, resize, to_chw_float
from anynav.policy.logonav.config import LogoNavConfig
from anynav.policy.types import Goal

# Names of the head graph's inputs and outputs (export writes them, the runtime feeds them).
HEAD_INPUTS: tuple[str, ...] = ("obs_embeddings", "goal")
HEAD_OUTPUTS: tuple[str, ...] = ("waypoints",)


def preprocess_frame(image: np.ndarray, config: LogoNavConfig, where: str = "frame") -> np.ndarray:
    """H x W x 3 uint8 RGB -> [3, 96, 96] float32: whole frame squashed (no crop), ImageNet-normalised."""
    image = resize(check_rgb8(image, where), config.image_height, config.image_width)
    return to_chw_float(image, config.image_mean, config.image_std)


def goal_to_model(goal: Goal, config: LogoNavConfig) -> np.ndarray:
    """Goal in base_link -> [x/0.25, y/0.25, cos yaw, sin yaw]; far goals are pulled in to goal_clip_m.

    Clipping keeps the bearing: training never saw goals much beyond 30 m.
    """
    distance = math.hypot(goal.x, goal.y)
    shrink = config.goal_clip_m / distance if distance > config.goal_clip_m else 1.0
    return np.array(
        [
            goal.x * shrink / config.goal_m_per_unit,
            goal.y * shrink / config.goal_m_per_unit,
            math.cos(goal.yaw),
            math.sin(goal.yaw),
        ],
        dtype=np.float32,
    )


def waypoints_from_model(output: np.ndarray, m_per_unit: float) -> tuple[np.ndarray, np.ndarray]:
    """[K, 4] (x, y, cos, sin) in output units -> ([K, 2] metres in base_link, [K] yaw in radians)."""
    xy = output[:, :2].astype(np.float64) * m_per_unit
    yaw = np.arctan2(output[:, 3], output[:, 2]).astype(np.float64)
    return xy, yaw
