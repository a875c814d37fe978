"""Bridge decisions without ROS: limits, command TTL and stop calls, link health, joint targets, motion switcher."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from anynav.control.velocity import Velocity
from anynav.robots.bridges.core import (
    Action,
    CommandGate,
    LinkMonitor,
    LinkState,
    RateLimiter,
    VelocityLimits,
)
from anynav.robots.bridges.lowlevel import (
    GO2_LAYOUT,
    H1_LAYOUT,
    JointTargets,
    MotionSwitcher,
)
from anynav.robots.emulators.unitree import UnitreeEmulator, UnitreeEmulatorConfig
from anynav.robots.errors import ConfigError, FieldError, NonFiniteValueError
from anynav.robots.records import verify
from anynav.robots.unitree import api, structs
from anynav.robots.unitree.lowcmd import GO_LOW_CMD

MS = 1_000_000


def test_limits_clip_each_axis_and_refuse_nan() -> None:
    limits = VelocityLimits(max_forward_mps=1.0, max_backward_mps=0.2, max_lateral_mps=0.1, max_yaw_rate=0.5)
    assert limits.clamp(Velocity(3.0, -1.0, 2.0)) == Velocity(1.0, -0.1, 0.5)
    assert limits.clamp(Velocity(-3.0, 0.05, -2.0)) == Velocity(-0.2, 0.05, -0.5)
    with pytest.raises(NonFiniteValueError, match="velocity"):
        limits.clamp(Velocity(math.nan, 0.0, 0.0))


@pytest.mark.parametrize(
    ("field", "value"), [("max_forward_mps", 3.5), ("max_backward_mps", -0.1), ("max_yaw_rate", math.inf)]
)
def test_limits_reject_values_outside_their_range(field: str, value: float) -> None:
    with pytest.raises(ConfigError, match=field):
        VelocityLimits(**{field: value})


def test_gate_moves_while_fresh_then_stops_once() -> None:
    gate = CommandGate(VelocityLimits(), ttl_s=0.3)
    assert gate.tick(0, link_alive=True).action is Action.STOP  # the robot appeared: stop whatever it did
    assert gate.tick(10 * MS, link_alive=True).action is Action.IDLE
    gate.command(Velocity(5.0, 0.0, 0.2), 20 * MS)
    tick = gate.tick(100 * MS, link_alive=True)
    assert tick.action is Action.MOVE and tick.velocity == Velocity(1.0, 0.0, 0.2)
    assert gate.tick(320 * MS, link_alive=True).action is Action.MOVE
    assert gate.tick(330 * MS, link_alive=True).action is Action.STOP
    assert [gate.tick(t * MS, link_alive=True).action for t in (400, 500, 900)] == [Action.IDLE] * 3
    assert gate.stops == 2


def test_gate_treats_a_zero_command_as_stop() -> None:
    gate = CommandGate(VelocityLimits(), ttl_s=1.0)
    gate.tick(0, link_alive=True)
    gate.command(Velocity(0.0, 0.0, 0.0), 10 * MS)
    assert gate.tick(20 * MS, link_alive=True).action is Action.IDLE  # a mux with no active input
    gate.command(Velocity(0.0, 0.0, 0.3), 30 * MS)
    assert gate.tick(40 * MS, link_alive=True).action is Action.MOVE
    gate.command(Velocity(0.0, 0.0, 0.0), 50 * MS)
    assert gate.tick(60 * MS, link_alive=True).action is Action.STOP
    assert gate.tick(70 * MS, link_alive=True).action is Action.IDLE


def test_gate_stops_when_the_robot_is_lost_and_again_when_it_returns() -> None:
    gate = CommandGate(VelocityLimits(), ttl_s=1.0)
    gate.tick(0, link_alive=True)
    gate.command(Velocity(0.5, 0.0, 0.0), 0)
    assert gate.tick(100 * MS, link_alive=True).action is Action.MOVE
    assert gate.tick(200 * MS, link_alive=False).action is Action.STOP
    assert gate.tick(300 * MS, link_alive=False).action is Action.IDLE
    assert gate.tick(400 * MS, link_alive=True).action is Action.MOVE  # fresh command, robot back
    assert gate.tick(2000 * MS, link_alive=False).action is Action.STOP
    assert gate.tick(2100 * MS, link_alive=True).action is Action.STOP  # back while idle: stop again


def test_gate_never_takes_a_nan_command() -> None:
    gate = CommandGate(VelocityLimits(), ttl_s=1.0)
    gate.command(Velocity(0.4, 0.0, 0.0), 0)
    with pytest.raises(NonFiniteValueError):
        gate.command(Velocity(0.0, 0.0, math.inf), 10 * MS)
    assert gate.velocity == Velocity(0.4, 0.0, 0.0) and gate.received == 1


def test_link_monitor_states() -> None:
    link = LinkMonitor(ttl_s=0.5)
    assert link.state(0) is LinkState.WAITING and "first state" in link.describe(0)
    link.rejected("LowState: crc mismatch")
    assert link.state(0) is LinkState.WAITING and link.bad_frames == 1
    link.received(100 * MS)
    assert link.alive(600 * MS) and link.describe(600 * MS) == "robot link ok"
    assert link.state(700 * MS) is LinkState.LOST
    assert link.describe(1100 * MS) == "robot lost: no valid state for 1.0 s (ttl 0.5 s)"


def test_rate_limiter_thins_a_fast_stream_to_the_cap() -> None:
    limiter = RateLimiter(50.0)
    passed = [t for t in range(500) if limiter.ready(t * 2 * MS)]  # 1 s of 500 Hz samples
    assert 49 <= len(passed) <= 51 and max(np.diff(passed)) * 2 <= 20  # 2 ms per sample


def test_rate_limiter_passes_a_jittery_stream_at_the_cap() -> None:
    limiter = RateLimiter(50.0)
    rng = np.random.default_rng(0)
    stamps = np.arange(100) * 20 * MS + rng.integers(-3 * MS, 3 * MS, 100)  # 50 Hz, +-3 ms jitter
    assert all(limiter.ready(int(t)) for t in stamps)
    assert limiter.ready(int(stamps[-1]) + 200 * MS)  # after a gap the next sample passes


def _signed_record(fields: dict) -> np.ndarray:
    record = structs.pack(GO_LOW_CMD, fields)
    verify("LowCmd", record)  # raises unless the CRC matches the packed struct
    return record[0]["motor_cmd"]


def test_joint_targets_are_placed_by_name_with_a_valid_crc() -> None:
    targets = JointTargets(GO2_LAYOUT)
    names = list(reversed(GO2_LAYOUT.names))
    q = np.arange(len(names), dtype=np.float64) * 0.1
    motors = _signed_record(targets.low_cmd(names, q, np.zeros(12), np.full(12, 0.5), np.full(12, 40.0), np.ones(12)))
    for name, value in zip(names, q):
        slot = GO2_LAYOUT.joints.index(name)
        assert motors[slot]["q"] == pytest.approx(value, abs=1e-6)
        assert motors[slot]["mode"] == 0x01 and motors[slot]["kp"] == 40.0 and motors[slot]["tau"] == 0.5
    assert GO2_LAYOUT.joints[0] == "FR_hip_joint" and motors[0]["q"] == pytest.approx(1.1, abs=1e-6)
    assert (motors["mode"][12:] == 0).all() and (motors["kp"][12:] == 0).all()


def test_h1_targets_leave_the_empty_slot_off_and_use_the_motor_modes() -> None:
    targets = JointTargets(H1_LAYOUT)
    names = H1_LAYOUT.names
    motors = _signed_record(
        targets.low_cmd(names, np.zeros(19), np.zeros(19), np.zeros(19), np.full(19, 50.0), np.full(19, 2.0))
    )
    assert len(names) == 19 and H1_LAYOUT.joints[9] == ""
    assert motors[9]["mode"] == 0 and motors[9]["kp"] == 0
    assert motors[H1_LAYOUT.joints.index("left_ankle_joint")]["mode"] == 0x01
    assert motors[H1_LAYOUT.joints.index("left_knee_joint")]["mode"] == 0x0A


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda a: a.update(names=a["names"][:-1] + ["FR_hip"]), FieldError, "unknown joint"),
        (lambda a: a.update(names=a["names"][:-1], q=a["q"][:-1]), FieldError, "not commanded"),
        (lambda a: a.update(kd=a["kd"][:-1]), FieldError, "kd"),
        (lambda a: a["q"].__setitem__(3, np.nan), NonFiniteValueError, "q"),
        (lambda a: a["kp"].__setitem__(0, -1.0), FieldError, "kp"),
    ],
)
def test_bad_joint_targets_are_refused(change, error, match) -> None:
    arrays = {
        "names": list(GO2_LAYOUT.names),
        "q": np.zeros(12),
        "dq": np.zeros(12),
        "tau": np.zeros(12),
        "kp": np.full(12, 20.0),
        "kd": np.ones(12),
    }
    change(arrays)
    with pytest.raises(error, match=match):
        JointTargets(GO2_LAYOUT).low_cmd(**arrays)


def test_damping_frame_only_damps() -> None:
    motors = _signed_record(JointTargets(GO2_LAYOUT).damping(2.0))
    assert (motors["kp"] == 0).all() and (motors["kd"][:12] == 2.0).all() and (motors["mode"][:12] == 1).all()


def test_motion_switcher_releases_the_sport_service_of_the_emulator() -> None:
    """The handshake against the emulator's motion switcher: CheckMode, ReleaseMode, CheckMode."""
    robot = UnitreeEmulator(UnitreeEmulatorConfig())
    switcher = MotionSwitcher(retry_s=1.0)
    sent = []
    now = 0
    while not switcher.released and now < 10 * 1000 * MS:
        request = switcher.request(now)
        if request is not None:
            sent.append(request["header"]["identity"]["api_id"])
            response = robot.handle_request(api.MOTION_SWITCHER_SERVICE, request, now)
            switcher.answer(api.decode_response(response))
        now += 10 * MS
    assert sent == [1001, 1003, 1001] and switcher.released and robot.active_service == ""
    assert switcher.request(now) is None


def test_motion_switcher_retries_after_silence_and_errors() -> None:
    switcher = MotionSwitcher(retry_s=1.0)
    first = switcher.request(0)
    assert first is not None and switcher.request(500 * MS) is None
    second = switcher.request(1000 * MS)
    assert second is not None and second["header"]["identity"]["id"] != first["header"]["identity"]["id"]
    refused = api.RpcResponse(second["header"]["identity"]["id"], 1001, 3204, {})
    switcher.answer(refused)
    assert switcher.errors == 1 and "3204" in switcher.last_error
    assert switcher.request(1500 * MS) is None and switcher.request(2000 * MS) is not None
    assert json.loads(first["parameter"]) == {}
