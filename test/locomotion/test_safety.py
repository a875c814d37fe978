"""Every safety trip reaches damping, a fallback or a zero command within one 50 Hz period.

The controller runs real tiny ONNX policies; time is simulated tick by tick, and each fault starts
between two ticks so the test sees exactly how late the first reaction comes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
import yaml
from locomotion_helpers import CONFIG_DIR, MS, SECOND, standing_state
from onnx import numpy_helper

from anynav.locomotion.controller import ControlStep, LocomotionController
from anynav.locomotion.errors import ControllerConfigError
from anynav.locomotion.mlp_onnx import write_mlp_onnx
from anynav.locomotion.policy import OnnxPolicy
from anynav.locomotion.safety import Mode, SafetyConfig
from anynav.locomotion.spec import spec_from_dict
from anynav.locomotion.state import HeightMapSample, VelocityCommand

PERIOD = 20 * MS
T0 = 10 * SECOND
FAULT = T0 + 307 * MS  # between two ticks
DAMPING_KD = 2.5


@pytest.fixture
def controller(go2_spec, go2_blind_spec, tiny_policy) -> Callable[..., LocomotionController]:
    def make(blind: bool = True, **safety: object) -> LocomotionController:
        main, _ = tiny_policy(go2_spec, name="vision.onnx")
        fallback = tiny_policy(go2_blind_spec, seed=1, name="blind.onnx")[0] if blind else None
        settings = {"warmup_s": 0.0, "damping_kd": DAMPING_KD, **safety}
        ctl = LocomotionController(main, SafetyConfig(**settings), fallback)  # type: ignore[arg-type]
        ctl.start()
        return ctl

    return make


def healthy(spec, now: int) -> tuple:
    command = VelocityCommand(0.5, 0.3, 0.2, now)
    return standing_state(spec, now), command, HeightMapSample(np.full(459, 0.3), now)


def run(
    ctl: LocomotionController, spec, inputs: Callable[[int], tuple], seconds: float = 1.0
) -> list[tuple[int, ControlStep]]:
    steps = []
    for k in range(int(seconds * SECOND / PERIOD)):
        now = T0 + k * PERIOD
        steps.append((now, ctl.step(now, *inputs(now))))
    return steps


def is_damping(step: ControlStep) -> bool:
    used = step.joints.kd > 0
    return (
        step.joints.mode == "damp"
        and step.verdict.mode is Mode.DAMP
        and not step.joints.kp.any()
        and np.allclose(step.joints.kd[used], DAMPING_KD)
        and used.sum() == 12
    )


def assert_reacts_within_one_period(steps, trigger_ns: int, reacted: Callable[[ControlStep], bool]) -> None:
    before = [step for now, step in steps if now < trigger_ns]
    after = [(now, step) for now, step in steps if now > trigger_ns]
    assert before and not any(reacted(step) for step in before), "reacted before the fault"
    assert after[0][0] - trigger_ns <= PERIOD
    assert all(reacted(step) for _, step in after), "not every tick after the fault reacted"


def test_healthy_run_feeds_the_clamped_command(go2_spec, controller) -> None:
    steps = run(controller(), go2_spec, lambda now: healthy(go2_spec, now), seconds=0.2)
    for _, step in steps:
        assert step.verdict.mode is Mode.POLICY and step.joints.mode == "policy"
        np.testing.assert_allclose(step.observation[6:9], (0.5, 0.0, 0.2))  # vy clamped to the trained 0


def test_warm_up_holds_a_zero_command_then_lets_it_through(go2_spec, controller) -> None:
    steps = run(controller(warmup_s=0.5), go2_spec, lambda now: healthy(go2_spec, now))
    for now, step in steps:
        expected = (0.0, 0.0, 0.0) if now < T0 + 500 * MS else (0.5, 0.0, 0.2)
        assert step.verdict.mode is Mode.POLICY
        np.testing.assert_allclose(step.observation[6:9], expected)


def test_command_ttl_zeroes_the_command(go2_spec, controller) -> None:
    def inputs(now: int) -> tuple:
        state, _, height_map = healthy(go2_spec, now)
        return state, VelocityCommand(0.5, 0.0, 0.2, min(now, FAULT - 500 * MS)), height_map

    steps = run(controller(command_ttl_s=0.5), go2_spec, inputs)
    assert_reacts_within_one_period(
        steps, FAULT, lambda s: s.verdict.mode is Mode.POLICY and not s.observation[6:9].any()
    )


def test_stale_height_map_switches_to_the_blind_policy(go2_spec, controller) -> None:
    def inputs(now: int) -> tuple:
        state, command, _ = healthy(go2_spec, now)
        return state, command, HeightMapSample(np.full(459, 0.3), min(now, FAULT - 300 * MS))

    steps = run(controller(height_map_ttl_s=0.3), go2_spec, inputs)
    assert_reacts_within_one_period(
        steps,
        FAULT,
        lambda s: s.verdict.mode is Mode.BLIND and s.observation.shape == (450,) and s.joints.mode == "policy",
    )


def test_map_flagged_stale_stands_when_configured(go2_spec, controller) -> None:
    def inputs(now: int) -> tuple:
        state, command, _ = healthy(go2_spec, now)
        return state, command, HeightMapSample(np.full(459, 0.3), now, stale=now > FAULT)

    steps = run(controller(blind=False, map_fallback="stand"), go2_spec, inputs)
    standing = {3: 0.1, 4: 0.8, 5: -1.5, 10: 1.0}

    def stands(step: ControlStep) -> bool:
        return (
            step.verdict.mode is Mode.STAND
            and all(step.joints.q[slot] == pytest.approx(q) for slot, q in standing.items())
            and (step.joints.kp[:12] == 40.0).all()
        )

    assert_reacts_within_one_period(steps, FAULT, stands)


def _tilted(spec, now: int, values: tuple) -> tuple:
    roll = 0.85  # beyond the 0.8 rad limit
    quat = np.array([np.cos(roll / 2), np.sin(roll / 2), 0.0, 0.0])
    return standing_state(spec, now, base_quat_wxyz=quat), values[1], values[2]


def _nan_state(spec, now: int, values: tuple) -> tuple:
    return standing_state(spec, now, joint_vel=np.r_[np.nan, np.zeros(19)]), values[1], values[2]


def _inf_command(spec, now: int, values: tuple) -> tuple:
    return values[0], VelocityCommand(np.inf, 0.0, 0.0, now), values[2]


def _nan_map(spec, now: int, values: tuple) -> tuple:
    return values[0], values[1], HeightMapSample(np.r_[np.nan, np.zeros(458)], now)


def _state_stops(spec, now: int, values: tuple) -> tuple:
    # The bridge's last state arrived 100 ms before FAULT; with a 0.1 s TTL it expires at FAULT.
    return standing_state(spec, FAULT - 100 * MS), values[1], values[2]


@pytest.mark.parametrize("fault", [_tilted, _nan_state, _inf_command, _nan_map, _state_stops])
def test_damping_trips_latch_within_one_period(go2_spec, controller, fault) -> None:
    def inputs(now: int) -> tuple:
        values = healthy(go2_spec, now)
        return fault(go2_spec, now, values) if now > FAULT else values

    steps = run(controller(state_ttl_s=0.1), go2_spec, inputs)
    assert_reacts_within_one_period(steps, FAULT, is_damping)


def test_damping_stays_latched_until_reset(go2_spec, controller) -> None:
    ctl = controller()
    tilted = _tilted(go2_spec, T0, healthy(go2_spec, T0))
    assert is_damping(ctl.step(T0, *tilted))
    assert "tilt" in ctl.step(T0 + PERIOD, *healthy(go2_spec, T0 + PERIOD)).verdict.reasons[0]
    assert is_damping(ctl.step(T0 + 2 * PERIOD, *healthy(go2_spec, T0 + 2 * PERIOD)))
    ctl.reset()
    assert ctl.step(T0 + 3 * PERIOD, *healthy(go2_spec, T0 + 3 * PERIOD)).verdict.mode is Mode.POLICY


def test_estop_latches_on_the_next_tick(go2_spec, controller) -> None:
    ctl = controller()
    steps = []
    for k in range(50):
        now = T0 + k * PERIOD
        if now > FAULT and not ctl.supervisor.latched:
            ctl.engage_estop("remote e-stop")
        steps.append((now, ctl.step(now, *healthy(go2_spec, now))))
    assert_reacts_within_one_period(steps, FAULT, is_damping)
    assert steps[-1][1].verdict.reasons == ("remote e-stop",)


def test_nan_policy_output_damps_in_the_same_tick(go2_spec, tmp_path: Path) -> None:
    path = tmp_path / "broken.onnx"
    write_mlp_onnx(path, (909, 16, 12))
    model = onnx.load(str(path))
    for init in model.graph.initializer:
        if init.name == "b1":
            init.CopyFrom(numpy_helper.from_array(np.full(12, np.nan, dtype=np.float32), "b1"))
    onnx.save(model, str(path))
    ctl = LocomotionController(
        OnnxPolicy(path, go2_spec), SafetyConfig(warmup_s=0.0, damping_kd=DAMPING_KD, map_fallback="stand")
    )
    ctl.start()
    step = ctl.step(T0, *healthy(go2_spec, T0))
    assert is_damping(step) and step.verdict.latched and "action" in step.verdict.reasons[0]


def test_no_start_or_no_state_damps_without_latching(go2_spec, controller, tiny_policy) -> None:
    policy, _ = tiny_policy(go2_spec)
    idle = LocomotionController(policy, SafetyConfig(map_fallback="stand"))
    assert is_idle_damping(idle.step(T0, *healthy(go2_spec, T0)))
    ctl = controller()
    _, command, height_map = healthy(go2_spec, T0)
    first = ctl.step(T0, None, command, height_map)
    assert first.verdict.mode is Mode.DAMP and not first.verdict.latched
    assert ctl.step(T0 + PERIOD, *healthy(go2_spec, T0 + PERIOD)).verdict.mode is Mode.POLICY


def is_idle_damping(step: ControlStep) -> bool:
    return (
        step.joints.mode == "damp" and not step.joints.kp.any() and step.verdict.reasons == ("controller not started",)
    )


def test_controller_settings_that_cannot_work(go2_spec, h1_spec, tiny_policy) -> None:
    main, _ = tiny_policy(go2_spec, name="main.onnx")
    blind_data = yaml.safe_load((CONFIG_DIR / "go2_blind.yaml").read_text())
    blind_data["joints"][0]["default"] = 0.2
    other_stance, _ = tiny_policy(spec_from_dict(blind_data, "go2_blind_edited.yaml"), name="blind.onnx")
    with pytest.raises(ControllerConfigError, match=r"joints\[0\] FL_hip_joint differs"):
        LocomotionController(main, SafetyConfig(), other_stance)
    with pytest.raises(ControllerConfigError, match="map_fallback='blind'"):
        LocomotionController(main, SafetyConfig())
    h1_blind_like, _ = tiny_policy(h1_spec, name="h1.onnx")
    with pytest.raises(ControllerConfigError, match="must not read a height map"):
        LocomotionController(main, SafetyConfig(), h1_blind_like)
    with pytest.raises(ControllerConfigError, match="max_tilt_rad"):
        SafetyConfig(max_tilt_rad=2.0)
    with pytest.raises(ControllerConfigError, match="map_fallback"):
        SafetyConfig(map_fallback="sit")
