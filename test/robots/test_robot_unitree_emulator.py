"""The Go2/H1 emulator: RPC checks and replies, motion switcher, LowCmd checks, PD tracking, state out."""

from __future__ import annotations

import json

import numpy as np
import pytest

from anynav.msgs.typestore import typestore
from anynav.robots.emulators.unitree import UnitreeEmulator, UnitreeEmulatorConfig
from anynav.robots.errors import ConfigError
from anynav.robots.unitree import api, joints
from anynav.robots.unitree.lowcmd import go_low_cmd
from anynav.robots.unitree.state import decode_go_low_state, decode_sport_state
from anynav.ros.messages import new_message

S = 1_000_000_000
SPORT = api.SPORT_SERVICE
SWITCHER = api.MOTION_SWITCHER_SERVICE


def _go2(**kwargs: object) -> UnitreeEmulator:
    return UnitreeEmulator(UnitreeEmulatorConfig(**kwargs))  # type: ignore[arg-type]


def _code(response: dict | None) -> int:
    assert response is not None
    return response["header"]["status"]["code"]


def test_move_integrates_until_stop_move() -> None:
    robot = _go2()
    assert robot.handle_request(SPORT, api.sport_move(0.5, 0.0, 0.0), 0) is None  # noreply
    state = decode_sport_state(new_message("unitree_go/msg/SportModeState", **robot.sport_state(2 * S)))
    assert state.position[0] == pytest.approx(1.0, abs=1e-6)
    assert state.mode == 3 and state.gait_type == 1
    np.testing.assert_allclose(state.body_velocity, [0.5, 0.0, 0.0], atol=1e-6)
    stop = api.sport_stop_move()
    response = robot.handle_request(SPORT, stop, 2 * S)
    assert _code(response) == api.RPC_OK
    assert response["header"]["identity"] == stop["header"]["identity"]
    later = decode_sport_state(robot.sport_state(4 * S))
    assert later.position[0] == pytest.approx(1.0, abs=1e-6) and later.mode == 1


def test_turning_and_world_frame_velocity() -> None:
    robot = _go2()
    robot.handle_request(SPORT, api.sport_move(0.0, 0.0, np.pi / 2), 0)
    robot.step(S)
    robot.handle_request(SPORT, api.sport_move(0.5, 0.0, 0.0), S)
    fields = robot.sport_state(3 * S)
    np.testing.assert_allclose(fields["velocity"][:2], [0.0, 0.5], atol=1e-6)  # world frame after a quarter turn
    state = decode_sport_state(fields)
    np.testing.assert_allclose(state.body_velocity, [0.5, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(state.position[:2], [0.0, 1.0], atol=1e-6)


def test_damp_blocks_move_until_balance_stand() -> None:
    robot = _go2()
    assert _code(robot.handle_request(SPORT, api.sport_damp(), 0)) == api.RPC_OK
    robot.handle_request(SPORT, api.sport_move(0.5, 0.0, 0.0), 0)
    assert any("Move while damping" in reason for reason in robot.rejected)
    assert robot.sport_state(S)["position"][0] == 0.0
    robot.handle_request(SPORT, api.sport_balance_stand(), S)
    robot.handle_request(SPORT, api.sport_move(0.5, 0.0, 0.0), S)
    assert robot.sport_state(2 * S)["position"][0] == pytest.approx(0.5)


def test_requests_are_checked_field_by_field() -> None:
    robot = _go2()
    good = api.sport_stop_move(request_id=100)
    assert _code(robot.handle_request(SPORT, good, 0)) == api.RPC_OK
    replayed = api.sport_stop_move(request_id=100)
    assert _code(robot.handle_request(SPORT, replayed, 0)) == api.RPC_ERR_SERVER_API_PARAMETER
    unknown = api.request(1016, request_id=101)
    assert _code(robot.handle_request(SPORT, unknown, 0)) == api.RPC_ERR_SERVER_API_NOT_IMPL
    for request_id, parameter in (
        (102, '{"x": 0.1, "y": 0}'),
        (103, '{"x": NaN, "y": 0, "z": 0}'),
        (104, '{"x": 9.0, "y": 0, "z": 0}'),
        (105, "[1, 2]"),
        (106, "{x"),
    ):
        request = api.request(api.SportApi.MOVE, request_id=request_id)
        request["parameter"] = parameter
        assert _code(robot.handle_request(SPORT, request, 0)) == api.RPC_ERR_SERVER_API_PARAMETER
    leased = api.request(api.SportApi.STOP_MOVE, request_id=107, lease_id=3)
    assert _code(robot.handle_request(SPORT, leased, 0)) == api.RPC_ERR_SERVER_API_PARAMETER
    with_binary = api.sport_stop_move(request_id=108)
    with_binary["binary"] = b"\x01"
    assert _code(robot.handle_request(SPORT, with_binary, 0)) == api.RPC_ERR_SERVER_API_PARAMETER
    assert robot.handle_request(api.LOCO_SERVICE, api.sport_stop_move(request_id=109), 0) is None
    assert sum(robot.rejected.values()) == 10 and robot.accepted == {"sport/1003": 1}
    assert robot.sport_state(S)["position"][0] == 0.0


def test_response_is_a_valid_message() -> None:
    robot = _go2()
    response = robot.handle_request(SWITCHER, api.motion_switcher_check_mode(), 0)
    message = new_message(api.RESPONSE, **response)
    decoded = api.decode_response(
        typestore().deserialize_cdr(typestore().serialize_cdr(message, api.RESPONSE), api.RESPONSE)
    )
    assert decoded.ok and decoded.api_id == 1001 and decoded.data == {"form": "0", "name": "normal"}


def _stand_cmd(target: float) -> dict:
    return go_low_cmd(np.full(12, target), kp=40.0, kd=1.0)


def test_low_cmd_needs_the_sport_service_released() -> None:
    robot = _go2()
    assert not robot.handle_low_cmd(_stand_cmd(0.5), 0)
    assert any("ReleaseMode first" in reason for reason in robot.rejected)
    robot.handle_request(SWITCHER, api.motion_switcher_release_mode(), 0)
    assert json.loads(robot.handle_request(SWITCHER, api.motion_switcher_check_mode(), 0)["data"])["name"] == ""
    assert robot.handle_request(SPORT, api.sport_move(0.5, 0.0, 0.0), 0) is None
    assert any("released" in reason for reason in robot.rejected)
    assert robot.handle_low_cmd(new_message("unitree_go/msg/LowCmd", **_stand_cmd(0.5)), 0)
    reading = decode_go_low_state(new_message("unitree_go/msg/LowState", **robot.low_state(S)), motors=12)
    np.testing.assert_allclose(reading.q, 0.5, atol=0.03)
    assert reading.tick == 1000 and reading.battery is not None and reading.battery.soc_percent == 90
    select = api.request(api.MotionSwitcherApi.SELECT_MODE, {"name": "normal"})
    assert _code(robot.handle_request(SWITCHER, select, S)) == api.RPC_OK
    assert not robot.handle_low_cmd(_stand_cmd(0.0), S)


def test_low_cmd_is_checked_like_the_firmware() -> None:
    robot = _go2()
    robot.handle_request(SWITCHER, api.motion_switcher_release_mode(), 0)
    bad_crc = _stand_cmd(0.3)
    bad_crc["crc"] ^= 1
    bad_head = _stand_cmd(0.3)
    bad_head["head"] = np.array([0xFE, 0xEE], dtype=np.uint8)
    bad_level = _stand_cmd(0.3)
    bad_level["level_flag"] = 0xEE
    h1_mode = go_low_cmd(np.zeros(12), kp=40.0, kd=1.0, mode=0x0A)
    stiff = go_low_cmd(np.zeros(12), kp=900.0, kd=1.0)
    nan = _stand_cmd(0.3)
    nan["motor_cmd"][2]["q"] = float("nan")
    for frame in (bad_crc, bad_head, bad_level, h1_mode, stiff, nan):
        assert not robot.handle_low_cmd(frame, 0)
    reasons = " | ".join(robot.rejected)
    for expected in (
        "crc",
        "head",
        "level_flag",
        "mode 0x0a",
        "kp 900",
        "motor_cmd[2].q",
    ):
        assert expected in reasons
    assert robot.low_state(S)["motor_state"][0]["q"] == 0.0


def test_h1_loco_velocity_expires_after_its_duration() -> None:
    robot = UnitreeEmulator(UnitreeEmulatorConfig(robot="h1", body_height_m=1.05))
    assert robot.handle_request(api.LOCO_SERVICE, api.loco_set_velocity(0.4, 0.0, 0.0, 0.5), 0) is None
    assert robot.sport_state(2 * S)["position"][0] == pytest.approx(0.2)
    robot.handle_request(api.LOCO_SERVICE, api.loco_set_fsm_id(api.H1Fsm.DAMP), 2 * S)
    robot.handle_request(api.LOCO_SERVICE, api.loco_set_velocity(0.4, 0.0, 0.0, 0.5), 2 * S)
    assert any("SetFsmId(204) first" in reason for reason in robot.rejected)
    robot.handle_request(SWITCHER, api.motion_switcher_release_mode(), 3 * S)
    assert robot.handle_low_cmd(go_low_cmd(np.zeros(20), kp=100.0, kd=2.0, mode=joints.h1_motor_modes()), 3 * S)


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="robot"):
        UnitreeEmulatorConfig(robot="b2")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="move_hold_s"):
        UnitreeEmulatorConfig(move_hold_s=-1.0)


def test_move_hold_stops_a_silent_client() -> None:
    robot = _go2(move_hold_s=0.5)
    robot.handle_request(SPORT, api.sport_move(1.0, 0.0, 0.0), 0)
    fields = robot.sport_state(3 * S)
    assert fields["position"][0] == pytest.approx(0.5) and fields["mode"] == 1
