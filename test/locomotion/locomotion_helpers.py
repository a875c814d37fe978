"""Helpers shared by the locomotion tests: where the shipped specs live, a standing robot state."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from anynav.locomotion.spec import LocomotionSpec
from anynav.locomotion.state import RobotState

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config" / "locomotion"
MS = 1_000_000
SECOND = 1_000_000_000


def standing_state(spec: LocomotionSpec, stamp_ns: int, **changes: object) -> RobotState:
    """A level robot at its default pose, joints in SDK order; keyword arguments replace fields."""
    joint_pos = np.zeros(spec.sdk_motor_count)
    for joint in spec.joints:
        joint_pos[joint.sdk_index] = joint.default
    fields: dict[str, object] = {
        "stamp_ns": stamp_ns,
        "base_quat_wxyz": np.array([1.0, 0.0, 0.0, 0.0]),
        "base_ang_vel": np.zeros(3),
        "joint_pos": joint_pos,
        "joint_vel": np.zeros(spec.sdk_motor_count),
        "base_lin_vel": np.zeros(3),
    }
    fields.update(changes)
    return RobotState(**fields)  # type: ignore[arg-type]
