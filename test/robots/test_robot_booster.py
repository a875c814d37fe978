"""Booster T1 loco RPC: request/response fields, JSON bodies, NaN rejection, and the emulator's checks."""

from __future__ import annotations

import json

import pytest

from anynav.msgs.typestore import typestore
from anynav.robots.booster import loco
from anynav.robots.emulators.booster import STATUS_OK, T1Emulator, T1EmulatorConfig
from anynav.robots.errors import ConfigError, FieldError, NonFiniteValueError, RpcError
from anynav.ros.messages import new_message

S = 1_000_000_000


def test_move_and_change_mode_requests() -> None:
    move = loco.move(0.4, -0.1, 0.2, request_uuid="abc")
    assert move["uuid"] == "abc"
    assert json.loads(move["header"]) == {"api_id": 2001}
    assert json.loads(move["body"]) == {"vx": 0.4, "vy": -0.1, "vyaw": 0.2}
    mode = loco.change_mode(loco.RobotMode.WALKING)
    assert json.loads(mode["header"]) == {"api_id": 2000} and json.loads(mode["body"]) == {"mode": 2}
    assert len(mode["uuid"]) == 36 and mode["uuid"] != loco.change_mode(2)["uuid"]
    assert loco.rpc_request(loco.LocoApi.GET_MODE)["body"] == ""
    message = new_message(loco.REQUEST, **move)
    again = typestore().deserialize_cdr(typestore().serialize_cdr(message, loco.REQUEST), loco.REQUEST)
    assert loco.decode_request(again) == (
        "abc",
        2001,
        {"vx": 0.4, "vy": -0.1, "vyaw": 0.2},
    )


def test_bad_requests_are_refused_before_sending() -> None:
    with pytest.raises(NonFiniteValueError, match="vy"):
        loco.move(0.1, float("nan"), 0.0)
    with pytest.raises(FieldError, match="mode"):
        loco.change_mode(9)
    with pytest.raises(FieldError, match="uuid"):
        loco.rpc_request(2001, request_uuid="")


def test_decode_response() -> None:
    result = loco.decode_response(new_message(loco.RESPONSE, uuid="u1", header='{"status": 0}', body='{"mode": 2}'))
    assert (result.uuid, result.ok, result.body) == ("u1", True, {"mode": 2})
    with pytest.raises(RpcError, match="status"):
        loco.decode_response({"uuid": "u1", "header": "{}", "body": ""})
    with pytest.raises(RpcError, match="not JSON"):
        loco.decode_response({"uuid": "u1", "header": "{status", "body": ""})


def test_emulator_walks_only_in_walking_mode() -> None:
    robot = T1Emulator(T1EmulatorConfig())
    refused = robot.handle_request(loco.move(0.5, 0.0, 0.0, request_uuid="m1"), 0)
    assert refused["uuid"] == "m1" and json.loads(refused["header"])["status"] != STATUS_OK
    assert any("ChangeMode(WALKING) first" in reason for reason in robot.rejected)
    answer = robot.handle_request(loco.change_mode(loco.RobotMode.WALKING, request_uuid="c1"), 0)
    assert loco.decode_response(answer).ok
    robot.handle_request(loco.move(0.5, 0.0, 0.0), 0)
    assert robot.odometer(2 * S) == pytest.approx({"x": 1.0, "y": 0.0, "theta": 0.0})
    robot.handle_request(loco.move(0.0, 0.0, 0.0), 2 * S)
    assert robot.odometer(5 * S)["x"] == pytest.approx(1.0)
    mode = loco.decode_response(robot.handle_request(loco.rpc_request(loco.LocoApi.GET_MODE), 5 * S))
    assert mode.body == {"mode": 2}


def test_emulator_checks_every_request_field() -> None:
    robot = T1Emulator(T1EmulatorConfig(initial_mode=loco.RobotMode.WALKING))
    bad = [
        {
            "uuid": "",
            "header": '{"api_id": 2001}',
            "body": '{"vx": 0, "vy": 0, "vyaw": 0}',
        },
        {
            "uuid": "a",
            "header": '{"api": 2001}',
            "body": '{"vx": 0, "vy": 0, "vyaw": 0}',
        },
        {"uuid": "b", "header": '{"api_id": 2001}', "body": '{"vx": 0, "vy": 0}'},
        {
            "uuid": "c",
            "header": '{"api_id": 2001}',
            "body": '{"vx": NaN, "vy": 0, "vyaw": 0}',
        },
        {
            "uuid": "d",
            "header": '{"api_id": 2001}',
            "body": '{"vx": 9.0, "vy": 0, "vyaw": 0}',
        },
        {"uuid": "e", "header": '{"api_id": 2999}', "body": ""},
        {"uuid": "f", "header": '{"api_id": 2000}', "body": '{"mode": 7}'},
    ]
    for request in bad:
        answer = robot.handle_request(request, 0)
        assert answer["uuid"] == request["uuid"] and loco.decode_response(answer).status != STATUS_OK
    assert sum(robot.rejected.values()) == len(bad)
    assert sum(robot.accepted.values()) == 0
    assert robot.odometer(S) == {"x": 0.0, "y": 0.0, "theta": 0.0}


def test_emulator_move_hold() -> None:
    robot = T1Emulator(T1EmulatorConfig(move_hold_s=0.5, initial_mode=loco.RobotMode.WALKING))
    robot.handle_request(loco.move(1.0, 0.0, 0.0), 0)
    assert robot.odometer(3 * S)["x"] == pytest.approx(0.5)


def test_emulator_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="max_speed_mps"):
        T1EmulatorConfig(max_speed_mps=-1.0)
    with pytest.raises(ConfigError, match="initial_mode"):
        T1EmulatorConfig(initial_mode=-1)
