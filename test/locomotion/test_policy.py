"""The ONNX runner on real onnxruntime with generated models, and action → joint targets in SDK order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anynav.locomotion.errors import PolicyLoadError, SpecError, StateError
from anynav.locomotion.mlp_onnx import mlp_forward, write_mlp_onnx
from anynav.locomotion.policy import OnnxPolicy
from anynav.locomotion.targets import TargetMapper


def test_runner_matches_the_network_in_numpy(go2_spec, tiny_policy) -> None:
    policy, weights = tiny_policy(go2_spec, seed=4)
    rng = np.random.default_rng(0)
    for _ in range(3):
        obs = rng.standard_normal(909).astype(np.float32)
        action = policy.act(obs)
        assert action.shape == (12,) and action.dtype == np.float32
        np.testing.assert_allclose(action, mlp_forward(weights, obs), rtol=1e-4, atol=1e-5)


def test_model_input_that_does_not_match_the_spec_is_named(go2_spec, tmp_path: Path) -> None:
    blind_model = tmp_path / "go2_base.onnx"
    write_mlp_onnx(blind_model, (450, 8, 12))
    with pytest.raises(SpecError) as info:
        OnnxPolicy(blind_model, go2_spec)
    assert info.value.field == "observation.size" and "909" in str(info.value) and "takes 450" in str(info.value)
    assert str(blind_model) in str(info.value) and "go2_vision.yaml" in str(info.value)

    h1_sized = tmp_path / "nineteen.onnx"
    write_mlp_onnx(h1_sized, (909, 8, 19))
    with pytest.raises(SpecError, match="action.size: 12 but model .* gives 19"):
        OnnxPolicy(h1_sized, go2_spec)


def test_unloadable_models_and_bad_observations(go2_spec, tiny_policy, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    with pytest.raises(PolicyLoadError, match="cannot load"):
        OnnxPolicy(garbage, go2_spec)
    policy, _ = tiny_policy(go2_spec)
    with pytest.raises(StateError, match="observation"):
        policy.act(np.zeros(450, dtype=np.float32))


def test_targets_are_default_plus_scaled_action_in_sdk_slots(go2_spec) -> None:
    mapper = TargetMapper(go2_spec)
    action = np.zeros(12)
    action[0], action[8] = 0.4, -0.2  # FL_hip (SDK 3), FL_calf (SDK 5)
    command = mapper.policy(action)
    assert command.mode == "policy" and command.q.shape == (20,) and command.q.dtype == np.float32
    assert command.q[3] == pytest.approx(0.1 + 0.25 * 0.4)
    assert command.q[5] == pytest.approx(-1.5 + 0.25 * -0.2)
    assert command.q[0] == pytest.approx(-0.1) and command.q[10] == pytest.approx(1.0)  # FR_hip, RL_thigh
    np.testing.assert_array_equal(command.kp, [40.0] * 12 + [0.0] * 8)
    np.testing.assert_array_equal(command.kd, [1.0] * 12 + [0.0] * 8)
    assert not command.q[12:].any() and not command.dq.any() and not command.tau.any()


def test_targets_are_clipped_to_joint_limits_and_actions_to_twenty(go2_spec) -> None:
    mapper = TargetMapper(go2_spec)
    np.testing.assert_array_equal(mapper.clip_action(np.full(12, 50.0)), np.full(12, 20.0, dtype=np.float32))
    command = mapper.policy(np.full(12, 50.0))
    upper = {j.sdk_index: j.upper for j in go2_spec.joints}
    for slot, limit in upper.items():
        assert command.q[slot] == pytest.approx(limit)
    low = mapper.policy(np.full(12, -3.0))  # calf: −1.5 − 0.75 = −2.25 is inside its limit
    assert low.q[5] == pytest.approx(-2.25) and low.q[3] == pytest.approx(-0.65)


def test_stand_and_damping_commands(h1_spec) -> None:
    mapper = TargetMapper(h1_spec)
    stand = mapper.stand()
    assert stand.q[5] == pytest.approx(0.79) and stand.kp[5] == 200.0 and stand.kp[9] == 0.0
    damp = mapper.damping(3.0)
    assert damp.mode == "damp" and not damp.kp.any() and not damp.tau.any()
    np.testing.assert_array_equal(damp.kd, [3.0] * 9 + [0.0] + [3.0] * 10)  # slot 9 is not an H1 motor
