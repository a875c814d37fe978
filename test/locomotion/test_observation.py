"""Observation assembly against the spec: term order, joint remapping, history shift, clip and scale, sizes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from locomotion_helpers import CONFIG_DIR, standing_state

from anynav.locomotion.errors import StateError
from anynav.locomotion.observation import ObservationBuilder
from anynav.locomotion.spec import spec_from_dict
from anynav.locomotion.state import projected_gravity, quat_to_rpy
from anynav.msgs.geometry import quaternion_from_rpy


def quat_from_rpy(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """w, x, y, z of R = Rz(yaw)·Ry(pitch)·Rx(roll)."""
    return np.roll(quaternion_from_rpy(roll, pitch, yaw), 1)


def test_attitude_terms() -> None:
    np.testing.assert_allclose(quat_to_rpy(quat_from_rpy(0.1, -0.2, 3.0)), (0.1, -0.2, 3.0), atol=1e-12)
    np.testing.assert_allclose(quat_to_rpy(2.0 * quat_from_rpy(0.0, 0.0, -3.1)), (0.0, 0.0, -3.1), atol=1e-12)
    np.testing.assert_allclose(projected_gravity(np.array([1.0, 0, 0, 0])), (0.0, 0.0, -1.0), atol=1e-12)
    # Nose down by 0.3 rad: gravity leans towards the body's +x.
    np.testing.assert_allclose(
        projected_gravity(quat_from_rpy(0.0, 0.3, 1.0)), (math.sin(0.3), 0.0, -math.cos(0.3)), atol=1e-12
    )


def go2_inputs(spec, stamp_ns: int = 0, ang_vel: tuple[float, float, float] = (0.1, 0.2, 0.3)):
    state = standing_state(
        spec,
        stamp_ns,
        base_quat_wxyz=quat_from_rpy(0.05, -0.1, 2.5),
        base_ang_vel=np.array(ang_vel),
        joint_pos=np.array([0.01 * (i + 1) for i in range(20)]),
        joint_vel=np.arange(20) + 100.0,
    )
    return state, np.array([0.5, 0.0, -0.25]), np.arange(12) / 10.0, np.linspace(-1.0, 1.0, 459)


def test_go2_terms_in_spec_order(go2_spec) -> None:
    state, command, last_action, height_map = go2_inputs(go2_spec)
    obs = ObservationBuilder(go2_spec).build(state, command, last_action, height_map)
    assert obs.shape == (909,) and obs.dtype == np.float32
    sdk = [3, 0, 9, 6, 4, 1, 10, 7, 5, 2, 11, 8]
    defaults = [0.1, -0.1, 0.1, -0.1, 0.8, 0.8, 1.0, 1.0, -1.5, -1.5, -1.5, -1.5]
    np.testing.assert_allclose(obs[0:3], (0.1, 0.2, 0.3), atol=1e-7)
    np.testing.assert_allclose(obs[3:6], (0.05, -0.1, 2.5), atol=1e-6)
    np.testing.assert_allclose(obs[6:9], (0.5, 0.0, -0.25))
    np.testing.assert_allclose(obs[9:21], [0.01 * (i + 1) - d for i, d in zip(sdk, defaults)], atol=1e-6)
    np.testing.assert_allclose(obs[21:33], [i + 100.0 for i in sdk])
    np.testing.assert_allclose(obs[33:45], np.arange(12) / 10.0, atol=1e-7)
    np.testing.assert_allclose(obs[45:504], np.linspace(-1.0, 1.0, 459), atol=1e-7)
    # First build after a reset: all nine history slots hold the current 45-value block.
    np.testing.assert_array_equal(obs[504:].reshape(9, 45), np.tile(obs[:45], (9, 1)))


def test_go2_history_shifts_oldest_first(go2_spec) -> None:
    builder = ObservationBuilder(go2_spec)
    blocks = []
    for k in range(4):
        obs = builder.build(*go2_inputs(go2_spec, ang_vel=(float(k), 0.0, 0.0)))
        blocks.append(obs[:45].copy())
    history = obs[504:].reshape(9, 45)
    np.testing.assert_array_equal(history[:6], np.tile(blocks[0], (6, 1)))
    np.testing.assert_array_equal(history[6:], np.stack(blocks[1:]))
    assert history[-1, 0] == 3.0 and history[0, 0] == 0.0
    builder.reset()
    obs = builder.build(*go2_inputs(go2_spec, ang_vel=(7.0, 0.0, 0.0)))
    np.testing.assert_array_equal(obs[504:].reshape(9, 45)[:, 0], np.full(9, 7.0))


def test_height_map_is_clipped_to_plus_minus_ten(go2_spec) -> None:
    state, command, last_action, _ = go2_inputs(go2_spec)
    height_map = np.zeros(459)
    height_map[[0, 458]] = (20.0, -15.0)
    obs = ObservationBuilder(go2_spec).build(state, command, last_action, height_map)
    assert (obs[45], obs[503]) == (10.0, -10.0)


def test_clip_then_scale_as_isaac_lab_does() -> None:
    data = yaml.safe_load((CONFIG_DIR / "go2_blind.yaml").read_text())
    data["observation"]["terms"][0] = {"name": "base_ang_vel", "scale": 2.0, "clip": [-1.0, 1.0]}
    spec = spec_from_dict(data)
    state, command, last_action, _ = go2_inputs(spec, ang_vel=(3.0, -0.25, 0.0))
    obs = ObservationBuilder(spec).build(state, command, last_action)
    np.testing.assert_allclose(obs[0:3], (2.0, -0.5, 0.0))
    np.testing.assert_allclose(obs[45:48], (2.0, -0.5, 0.0))  # history holds the processed block
    assert obs.shape == (450,)


def test_h1_observation_has_256_values_in_order(h1_spec) -> None:
    joint_pos = np.zeros(20)
    for joint in h1_spec.joints:
        joint_pos[joint.sdk_index] = joint.default + 0.1
    state = standing_state(
        h1_spec,
        0,
        base_lin_vel=np.array([0.4, 0.0, 0.01]),
        base_ang_vel=np.array([0.0, 0.0, 0.2]),
        base_quat_wxyz=quat_from_rpy(0.0, 0.3, 0.0),
        joint_pos=joint_pos,
    )
    scan = np.full(187, 0.5)
    scan[186] = 3.0
    obs = ObservationBuilder(h1_spec).build(state, np.array([0.5, 0.0, 0.0]), np.zeros(19), scan)
    assert obs.shape == (256,)
    np.testing.assert_allclose(obs[0:3], (0.4, 0.0, 0.01), atol=1e-7)
    np.testing.assert_allclose(obs[3:6], (0.0, 0.0, 0.2), atol=1e-7)
    np.testing.assert_allclose(obs[6:9], (math.sin(0.3), 0.0, -math.cos(0.3)), atol=1e-6)
    np.testing.assert_allclose(obs[9:12], (0.5, 0.0, 0.0))
    np.testing.assert_allclose(obs[12:31], np.full(19, 0.1), atol=1e-6)
    assert obs[69] == 0.5 and obs[255] == 1.0  # scan clipped to ±1


def test_missing_or_misshapen_inputs_are_named(go2_spec, h1_spec) -> None:
    state, command, last_action, height_map = go2_inputs(go2_spec)
    builder = ObservationBuilder(go2_spec)
    with pytest.raises(StateError, match="height_map"):
        builder.build(state, command, last_action, None)
    with pytest.raises(StateError, match="joint_pos: expected 20"):
        builder.build(standing_state(go2_spec, 0, joint_pos=np.zeros(12)), command, last_action, height_map)
    with pytest.raises(StateError, match="last_action"):
        builder.build(state, command, np.zeros(19), height_map)
    with pytest.raises(StateError, match="height_map: expected 459"):
        builder.build(state, command, last_action, np.zeros(187))
    with pytest.raises(StateError, match="base_lin_vel"):
        ObservationBuilder(h1_spec).build(
            standing_state(h1_spec, 0, base_lin_vel=None), np.zeros(3), np.zeros(19), np.zeros(187)
        )
