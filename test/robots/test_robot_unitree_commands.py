"""Unitree command builders: signed LowCmd fields and RPC requests, checked against the reference."""

from __future__ import annotations

import json

import numpy as np
import pytest
from unitree_reference import GoLowCmd, HgLowCmd, fill_ctypes, struct_crc_reference

from anynav.msgs.typestore import typestore
from anynav.robots.errors import FieldError, NonFiniteValueError, RpcError
from anynav.robots.unitree import api, joints
from anynav.robots.unitree.lowcmd import (
    GO_LOW_CMD,
    HG_LOW_CMD,
    go_damping_cmd,
    go_low_cmd,
    hg_low_cmd,
    sign_low_cmd,
)
from anynav.ros.messages import new_message


def _independent_crc(ctype: type, fields: dict) -> tuple[int, int]:
    """(crc the fields carry, crc of their ctypes packing computed by the plain loop)."""
    packed = ctype()
    fill_ctypes(packed, fields)
    return fields["crc"], struct_crc_reference(bytes(packed))


def test_go_low_cmd_fields_and_crc() -> None:
    q = np.linspace(-0.5, 0.5, 12)
    fields = go_low_cmd(q, kp=40.0, kd=np.full(12, 1.0), tau=np.arange(12) * 0.1)
    assert list(fields["head"]) == [0xFE, 0xEF]
    assert fields["level_flag"] == 0xFF
    motors = fields["motor_cmd"]
    assert len(motors) == 20
    assert [m["mode"] for m in motors] == [1] * 12 + [0] * 8
    np.testing.assert_allclose([m["q"] for m in motors[:12]], q, atol=1e-7)
    assert [m["kp"] for m in motors[11:13]] == [40.0, 0.0]
    assert motors[3]["tau"] == pytest.approx(0.3)
    carried, expected = _independent_crc(GoLowCmd, fields)
    assert carried == expected


def test_go_low_cmd_becomes_a_message_and_signs_the_same() -> None:
    fields = go_low_cmd(np.zeros(20), kp=100.0, kd=2.0, mode=joints.h1_motor_modes())
    message = new_message(GO_LOW_CMD, **fields)
    assert len(typestore().serialize_cdr(message, GO_LOW_CMD)) == 812
    assert sign_low_cmd(GO_LOW_CMD, message) == fields["crc"]
    assert [m.mode for m in message.motor_cmd][8:12] == [0x0A, 0, 0x01, 0x01]


def test_editing_a_message_changes_its_crc() -> None:
    message = new_message(GO_LOW_CMD, **go_low_cmd(np.zeros(12), kp=20.0, kd=0.5))
    before = sign_low_cmd(GO_LOW_CMD, message)
    message.motor_cmd[4].q = 0.25
    after = sign_low_cmd(GO_LOW_CMD, message)
    assert after != before
    message.crc = after
    packed = GoLowCmd()
    fill_ctypes(
        packed,
        {
            "motor_cmd": [{"q": m.q, "kp": m.kp, "kd": m.kd, "mode": m.mode} for m in message.motor_cmd],
            "head": [0xFE, 0xEF],
            "level_flag": 0xFF,
        },
    )
    assert after == struct_crc_reference(bytes(packed))


@pytest.mark.parametrize("field", ["q", "dq", "tau", "kp", "kd"])
def test_nan_never_reaches_a_motor(field: str) -> None:
    values = {"q": np.zeros(12), "kp": np.full(12, 20.0), "kd": np.full(12, 0.5)}
    bad = np.zeros(12)
    bad[7] = np.nan
    values[field] = bad
    with pytest.raises(NonFiniteValueError, match=rf"{field}\[7\]"):
        go_low_cmd(**values)
    with pytest.raises(NonFiniteValueError):
        go_low_cmd(np.zeros(12), 20.0, 0.5, tau=np.full(12, np.inf))


def test_bad_low_cmd_inputs_are_named() -> None:
    with pytest.raises(FieldError, match=r"kp\[2\].*>= 0"):
        go_low_cmd(np.zeros(4), kp=[1, 1, -1, 1], kd=0.1)
    with pytest.raises(FieldError, match="kd: expected 12 values"):
        go_low_cmd(np.zeros(12), kp=1.0, kd=np.ones(11))
    with pytest.raises(FieldError, match="between 1 and 20 motors"):
        go_low_cmd(np.zeros(21), kp=1.0, kd=1.0)
    with pytest.raises(FieldError, match="mode"):
        go_low_cmd(np.zeros(3), kp=1.0, kd=1.0, mode=256)
    with pytest.raises(FieldError, match="mode_machine"):
        hg_low_cmd(np.zeros(29), 1.0, 1.0, mode_machine=300)
    with pytest.raises(FieldError, match="not a Unitree LowCmd"):
        sign_low_cmd("unitree_go/msg/LowState", {})


def test_damping_cmd_has_no_stiffness() -> None:
    fields = go_damping_cmd(12, kd=3.0)
    motors = fields["motor_cmd"]
    assert all(m["kp"] == 0.0 and m["q"] == 0.0 and m["dq"] == 0.0 for m in motors)
    assert [m["kd"] for m in motors[:13]] == [3.0] * 12 + [0.0]
    assert fields["crc"] == _independent_crc(GoLowCmd, fields)[1]
    with pytest.raises(FieldError, match="damping gain"):
        go_damping_cmd(12, kd=0.0)


def test_hg_low_cmd_echoes_mode_machine_and_signs() -> None:
    fields = hg_low_cmd(np.full(29, 0.1), kp=60.0, kd=1.5, mode_machine=5)
    assert fields["mode_machine"] == 5 and fields["mode_pr"] == 0
    assert [m["mode"] for m in fields["motor_cmd"]][28:30] == [1, 0]
    carried, expected = _independent_crc(HgLowCmd, fields)
    assert carried == expected
    assert sign_low_cmd(HG_LOW_CMD, new_message(HG_LOW_CMD, **fields)) == carried


def test_go2_joint_orders_match_the_reference() -> None:
    assert joints.index_map(joints.GO2_ISAAC_JOINTS, joints.GO2_SDK_JOINTS) == (
        3,
        0,
        9,
        6,
        4,
        1,
        10,
        7,
        5,
        2,
        11,
        8,
    )
    assert joints.GO2_SDK_JOINTS[:3] == ("FR_hip", "FR_thigh", "FR_calf")
    isaac_to_sdk = joints.index_map(joints.H1_ISAAC_JOINTS, joints.H1_SDK_JOINTS)
    assert sorted(isaac_to_sdk) == [i for i in range(20) if i != 9]
    with pytest.raises(FieldError, match="not among"):
        joints.index_map(["FL_knee"], joints.GO2_SDK_JOINTS)


# --- RPC requests --------------------------------------------------------------------------


def _parameter(fields: dict) -> dict:
    return json.loads(fields["parameter"])


def test_sport_move_request() -> None:
    first = api.sport_move(0.5, -0.1, 0.3)
    second = api.sport_move(0.0, 0.0, 0.0)
    header = first["header"]
    assert header["identity"]["api_id"] == 1008
    assert header["policy"] == {"priority": 0, "noreply": True}
    assert header["lease"] == {"id": 0}
    assert _parameter(first) == {"x": 0.5, "y": -0.1, "z": 0.3}
    assert 0 < header["identity"]["id"] < second["header"]["identity"]["id"]
    message = new_message(api.REQUEST, **first)
    again = typestore().deserialize_cdr(typestore().serialize_cdr(message, api.REQUEST), api.REQUEST)
    assert again.header.identity.api_id == 1008 and json.loads(again.parameter)["x"] == 0.5


@pytest.mark.parametrize(
    ("build", "api_id", "parameter"),
    [
        (api.sport_stop_move, 1003, {}),
        (api.sport_damp, 1001, {}),
        (api.sport_balance_stand, 1002, {}),
        (api.motion_switcher_check_mode, 1001, {}),
        (api.motion_switcher_release_mode, 1003, {}),
        (lambda **kw: api.loco_set_fsm_id(api.H1Fsm.DAMP, **kw), 8101, {"data": 1}),
        (
            lambda **kw: api.loco_set_velocity(0.3, 0.0, -0.2, 0.1, **kw),
            8105,
            {"velocity": [0.3, 0.0, -0.2], "duration": 0.1},
        ),
    ],
)
def test_request_builders(build, api_id: int, parameter: dict) -> None:
    fields = build(request_id=42)
    assert fields["header"]["identity"] == {"id": 42, "api_id": api_id}
    assert _parameter(fields) == parameter


def test_requests_reject_nan_and_bad_values() -> None:
    with pytest.raises(NonFiniteValueError, match="vyaw"):
        api.sport_move(0.1, 0.0, float("nan"))
    with pytest.raises(NonFiniteValueError, match="vx"):
        api.loco_set_velocity(float("inf"), 0.0, 0.0, 1.0)
    with pytest.raises(FieldError, match="duration_s"):
        api.loco_set_velocity(0.1, 0.0, 0.0, 0.0)
    with pytest.raises(FieldError, match="fsm_id"):
        api.loco_set_fsm_id(3)
    with pytest.raises(FieldError, match="identity.id"):
        api.sport_stop_move(request_id=0)


def test_decode_response() -> None:
    fields = {
        "header": {"identity": {"id": 7, "api_id": 1001}, "status": {"code": 0}},
        "data": '{"form": "0", "name": "normal"}',
        "binary": b"",
    }
    response = api.decode_response(new_message(api.RESPONSE, **fields))
    assert (
        response.request_id,
        response.api_id,
        response.ok,
        response.data["name"],
    ) == (7, 1001, True, "normal")
    fields["data"] = "not json"
    with pytest.raises(RpcError, match="not JSON"):
        api.decode_response(fields)
    assert api.request_topic("sport") == "/api/sport/request"
    assert api.response_topic("loco") == "/api/loco/response"
