"""Helpers shared by the locomotion tests: where the shipped specs live, a standing robot state, a linear policy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

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


def write_linear_policy(path: Path, spec: LocomotionSpec, gains: dict[tuple[int, int], float]) -> Path:
    """An ONNX policy with the exported actor's signature computing action[i] = Σ gains[(i, j)]·obs[j].

    Its output shows exactly which observation entries reached the network (the command, say),
    so a test can read the controller's decisions off the joint targets.
    """
    weights = np.zeros((spec.action.size, spec.observation_size), dtype=np.float32)
    for (row, column), gain in gains.items():
        weights[row, column] = gain
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["obs", "w", "b"], ["actions"], transB=1)],
        "linear_policy",
        [helper.make_tensor_value_info("obs", TensorProto.FLOAT, [1, spec.observation_size])],
        [helper.make_tensor_value_info("actions", TensorProto.FLOAT, [1, spec.action.size])],
        [numpy_helper.from_array(weights, "w"), numpy_helper.from_array(np.zeros(spec.action.size, np.float32), "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path
