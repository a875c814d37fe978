"""LowState and SportModeState decoding: SDK order, ROS quaternion order, units, CRC and NaN checks."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from robot_samples import random_fields
from unitree_reference import GoLowState, fill_ctypes, struct_crc_reference

from anynav.robots.errors import CrcMismatchError, FieldError, NonFiniteValueError
from anynav.robots.unitree.state import (
    decode_go_low_state,
    decode_hg_low_state,
    decode_sport_state,
)
from anynav.ros.messages import new_message

GO = "unitree_go/msg/LowState"
HG = "unitree_hg/msg/LowState"
HALF_TURN = (
    math.cos(math.pi / 4),
    0.0,
    0.0,
    math.sin(math.pi / 4),
)  # w, x, y, z: yaw 90°


def _go_low_state() -> dict:
    fields = random_fields(GO, random.Random(2))
    for i, motor in enumerate(fields["motor_state"]):
        motor.update(q=0.1 * i, dq=-0.01 * i, tau_est=0.5, temperature=30 + i)
    fields["imu_state"]["quaternion"] = list(HALF_TURN)
    fields["bms_state"].update(soc=87, current=-2500, cell_vol=[3700] * 15)
    fields["power_v"] = 28.5
    packed = GoLowState()
    fill_ctypes(packed, fields)
    fields["crc"] = struct_crc_reference(bytes(packed))
    return fields


def test_go_low_state_decodes_in_sdk_order_with_ros_quaternion() -> None:
    reading = decode_go_low_state(new_message(GO, **_go_low_state()), motors=12)
    np.testing.assert_allclose(reading.q, 0.1 * np.arange(12), atol=1e-6)
    np.testing.assert_allclose(reading.dq, -0.01 * np.arange(12), atol=1e-6)
    assert reading.motor_temperature_c[11] == 41
    np.testing.assert_allclose(reading.imu.orientation_xyzw, [0, 0, math.sqrt(0.5), math.sqrt(0.5)], atol=1e-6)
    assert reading.battery is not None
    assert (reading.battery.soc_percent, reading.battery.current_a) == (87, -2.5)
    assert reading.battery.voltage_v == pytest.approx(28.5)
    assert reading.battery.cell_voltages_v[0] == pytest.approx(3.7)
    assert reading.mode_machine is None


def test_go_low_state_with_a_bad_crc_is_rejected() -> None:
    fields = _go_low_state()
    fields["crc"] ^= 0x10
    with pytest.raises(CrcMismatchError, match="LowState"):
        decode_go_low_state(fields)
    assert decode_go_low_state(fields, verify_crc=False).q.shape == (20,)


def test_nan_in_state_is_rejected_with_the_field_named() -> None:
    fields = _go_low_state()
    fields["motor_state"][4]["dq"] = float("nan")
    with pytest.raises(NonFiniteValueError, match=r"motor_state\[4\]\.dq"):
        decode_go_low_state(fields, verify_crc=False)


def test_zero_quaternion_is_rejected() -> None:
    fields = _go_low_state()
    fields["imu_state"]["quaternion"] = [0.0, 0.0, 0.0, 0.0]
    with pytest.raises(FieldError, match="unit quaternion"):
        decode_go_low_state(fields, verify_crc=False)


def test_hg_low_state_reports_mode_machine() -> None:
    fields = random_fields(HG, random.Random(4))
    fields["imu_state"]["quaternion"] = [1.0, 0.0, 0.0, 0.0]
    fields["mode_machine"] = 5
    fields["motor_state"][0]["temperature"] = [31, 44]
    reading = decode_hg_low_state(fields, motors=29, verify_crc=False)
    assert reading.mode_machine == 5 and reading.q.shape == (29,) and reading.battery is None
    assert reading.motor_temperature_c[0] == 44
    with pytest.raises(CrcMismatchError):
        decode_hg_low_state(fields)


def _sport_state(velocity: list[float]) -> dict:
    fields = random_fields("unitree_go/msg/SportModeState", random.Random(6))
    fields["imu_state"].update(quaternion=list(HALF_TURN), rpy=[0.0, 0.0, math.pi / 2])
    fields.update(
        stamp={"sec": 12, "nanosec": 500},
        position=[1.0, 2.0, 0.0],
        velocity=velocity,
        yaw_speed=0.25,
    )
    return fields


def test_sport_state_world_velocity_is_rotated_into_the_body_frame() -> None:
    reading = decode_sport_state(new_message("unitree_go/msg/SportModeState", **_sport_state([0.0, 0.5, 0.0])))
    assert reading.stamp_ns == 12_000_000_500
    np.testing.assert_allclose(reading.body_velocity, [0.5, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(reading.position, [1.0, 2.0, 0.0])
    np.testing.assert_allclose(reading.orientation_xyzw, [0, 0, math.sqrt(0.5), math.sqrt(0.5)], atol=1e-6)
    assert reading.yaw_rate == 0.25


def test_sport_state_body_velocity_passes_through() -> None:
    reading = decode_sport_state(_sport_state([0.0, 0.5, 0.0]), velocity_frame="body")
    np.testing.assert_allclose(reading.body_velocity, [0.0, 0.5, 0.0])
    with pytest.raises(FieldError, match="velocity_frame"):
        decode_sport_state(_sport_state([0.0, 0.0, 0.0]), velocity_frame="odom")  # type: ignore[arg-type]


def test_sport_state_nan_is_rejected() -> None:
    with pytest.raises(NonFiniteValueError, match=r"velocity\[1\]"):
        decode_sport_state(_sport_state([0.0, float("nan"), 0.0]))
    fields = _sport_state([0.0, 0.0, 0.0])
    fields["imu_state"]["gyroscope"][2] = float("inf")
    with pytest.raises(NonFiniteValueError, match=r"imu_state.gyroscope\[2\]"):
        decode_sport_state(fields)
