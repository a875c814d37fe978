"""Controller inputs from the bridge's topics: joints by name into SDK order, state stamps, maps, and model loading."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from locomotion_helpers import CONFIG_DIR

from anynav.locomotion.errors import ControllerConfigError, PolicyLoadError, StateError
from anynav.locomotion.inputs import JointNameMap, StateInputs, height_map_sample
from anynav.locomotion.loading import find_spec, load_policy
from anynav.locomotion.spec import LocomotionSpec
from anynav.robots.bridges.lowlevel import GO2_LAYOUT, H1_LAYOUT

MS = 1_000_000


def test_go2_joints_are_matched_by_name_whatever_their_order(go2_spec: LocomotionSpec) -> None:
    joints = JointNameMap(go2_spec)
    names = list(GO2_LAYOUT.names)  # SDK order, as the bridge publishes them
    rng = np.random.default_rng(0)
    order = rng.permutation(len(names))
    values = np.arange(12.0)  # value i belongs to SDK slot i
    sdk = joints.to_sdk([names[i] for i in order], values[order], "position")
    assert np.array_equal(sdk[:12], values)
    assert np.array_equal(sdk[12:], np.zeros(8))  # the spec has 20 slots; the unused ones stay 0
    # Back out in the spec's (Isaac) order: FL_hip is SDK slot 3, FR_hip slot 0, RL_hip slot 9 ...
    assert joints.from_sdk(sdk)[:4].tolist() == [3.0, 0.0, 9.0, 6.0]
    assert joints.names[:2] == ("FL_hip_joint", "FR_hip_joint")


def test_h1_spec_names_meet_the_bridges_with_the_suffix(h1_spec: LocomotionSpec) -> None:
    with pytest.raises(StateError, match=r"no joint\(s\) \['left_hip_yaw'"):
        JointNameMap(h1_spec).to_sdk(list(H1_LAYOUT.names), np.zeros(19), "position")
    joints = JointNameMap(h1_spec, "_joint")
    q = joints.to_sdk(list(H1_LAYOUT.names), np.arange(19.0), "position")
    slots = H1_LAYOUT.slots  # slot 9 carries no joint
    assert np.array_equal(q[slots], np.arange(19.0)) and q[9] == 0.0


def test_bad_joint_states_are_refused(go2_spec: LocomotionSpec) -> None:
    joints = JointNameMap(go2_spec)
    names = list(GO2_LAYOUT.names)
    with pytest.raises(StateError, match=r"no joint\(s\) \['RL_calf_joint'\]"):
        joints.to_sdk(names[:11], np.zeros(11), "position")
    with pytest.raises(StateError, match="joint_states.velocity: 0 values for 12 names"):
        joints.to_sdk(names, [], "velocity")


def test_state_waits_for_every_input_and_takes_the_oldest_stamp(h1_spec: LocomotionSpec) -> None:
    inputs = StateInputs(JointNameMap(h1_spec, "_joint"), needs_body_velocity=True)
    names = list(H1_LAYOUT.names)
    inputs.joint_state(30 * MS, names, np.zeros(19), np.zeros(19))
    inputs.imu(20 * MS, (0.0, 0.0, math.sin(0.1), math.cos(0.1)), (0.1, 0.2, 0.3))
    assert inputs.state() is None  # H1 reads base_lin_vel: /odom is needed too
    inputs.body_velocity(10 * MS, (0.5, 0.0, 0.0))
    state = inputs.state()
    assert state is not None and state.stamp_ns == 10 * MS
    assert np.allclose(state.base_quat_wxyz, (math.cos(0.1), 0.0, 0.0, math.sin(0.1)))  # IMU x, y, z, w → w, x, y, z
    assert state.base_lin_vel is not None and state.base_lin_vel[0] == 0.5
    inputs.imu(40 * MS, (math.nan, 0.0, 0.0, 1.0), (0.0, 0.0, 0.0))
    state = inputs.state()
    assert state is not None and not state.is_finite()  # passed through for the supervisor to damp on
    assert inputs.stamps() == {"joint_states": 30 * MS, "imu": 40 * MS, "odom": 10 * MS}


def test_height_map_size_must_match_the_layout(go2_spec: LocomotionSpec) -> None:
    sample = height_map_sample(go2_spec, 5, np.ones(459))
    assert sample.stamp_ns == 5 and sample.values.dtype == np.float32 and not sample.stale
    with pytest.raises(StateError, match="187 values, the go2_lidar layout has 459"):
        height_map_sample(go2_spec, 5, np.ones(187))


def test_specs_are_found_by_name_or_path(tmp_path: Path) -> None:
    config = CONFIG_DIR.parent
    assert find_spec("h1_blind", "spec", [tmp_path, config]).observation_size == 69
    assert find_spec(str(CONFIG_DIR / "go2_blind.yaml"), "spec", []).observation_size == 450
    with pytest.raises(ControllerConfigError, match=r"parameter blind_spec='./nothing.yaml': no such file"):
        find_spec("./nothing.yaml", "blind_spec", [config])


def test_random_weights_only_on_explicit_request(go2_spec: LocomotionSpec) -> None:
    loaded = load_policy("random:7", "policy_model", go2_spec)
    assert loaded.random_seed == 7 and loaded.description == "RANDOM WEIGHTS (seed 7)"
    assert not loaded.policy.path.exists()  # written to a temporary directory, loaded, removed
    action = loaded.policy.act(np.zeros(909, dtype=np.float32))
    again = load_policy("random:7", "policy_model", go2_spec).policy.act(np.zeros(909, dtype=np.float32))
    assert action.shape == (12,) and np.array_equal(action, again)
    for bad in ("random:", "random:-1", "random:seven"):
        with pytest.raises(ControllerConfigError, match="expected random:<non-negative integer>"):
            load_policy(bad, "policy_model", go2_spec)
    with pytest.raises(PolicyLoadError, match="parameter blind_model='/no/such.onnx': no such file"):
        load_policy("/no/such.onnx", "blind_model", go2_spec)
