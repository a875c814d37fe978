"""The firmware's C structs behind Unitree's DDS low-level messages, for packing and CRC.

Layouts follow the unitree_go / unitree_hg IDL field order with natural C alignment
(unitree_sdk2's struct formats): go LowCmd 812 B, go LowState 1180 B, hg LowCmd 1004 B,
hg LowState 2092 B. The crc word is the last one; it covers every word before it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anynav.robots.records import c_struct, record_from_message

GO_MOTOR_COUNT = 20
HG_MOTOR_COUNT = 35

_IMU = [
    ("quaternion", "<f4", (4,)),
    ("gyroscope", "<f4", (3,)),
    ("accelerometer", "<f4", (3,)),
    ("rpy", "<f4", (3,)),
]
_GO_HEADER = [
    ("head", "u1", (2,)),
    ("level_flag", "u1"),
    ("frame_reserve", "u1"),
    ("sn", "<u4", (2,)),
    ("version", "<u4", (2,)),
    ("bandwidth", "<u2"),
]

GO_MOTOR_CMD = c_struct(
    [
        ("mode", "u1"),
        ("q", "<f4"),
        ("dq", "<f4"),
        ("tau", "<f4"),
        ("kp", "<f4"),
        ("kd", "<f4"),
        ("reserve", "<u4", (3,)),
    ]
)
GO_BMS_CMD = c_struct([("off", "u1"), ("reserve", "u1", (3,))])
GO_LOW_CMD = c_struct(
    [
        *_GO_HEADER,
        ("motor_cmd", GO_MOTOR_CMD, (GO_MOTOR_COUNT,)),
        ("bms_cmd", GO_BMS_CMD),
        ("wireless_remote", "u1", (40,)),
        ("led", "u1", (12,)),
        ("fan", "u1", (2,)),
        ("gpio", "u1"),
        ("reserve", "<u4"),
        ("crc", "<u4"),
    ]
)

GO_IMU_STATE = c_struct([*_IMU, ("temperature", "i1")])
GO_MOTOR_STATE = c_struct(
    [
        ("mode", "u1"),
        *[(name, "<f4") for name in ("q", "dq", "ddq", "tau_est", "q_raw", "dq_raw", "ddq_raw")],
        ("temperature", "i1"),
        ("lost", "<u4"),
        ("reserve", "<u4", (2,)),
    ]
)
GO_BMS_STATE = c_struct(
    [
        ("version_high", "u1"),
        ("version_low", "u1"),
        ("status", "u1"),
        ("soc", "u1"),
        ("current", "<i4"),
        ("cycle", "<u2"),
        ("bq_ntc", "i1", (2,)),
        ("mcu_ntc", "i1", (2,)),
        ("cell_vol", "<u2", (15,)),
    ]
)
GO_LOW_STATE = c_struct(
    [
        *_GO_HEADER,
        ("imu_state", GO_IMU_STATE),
        ("motor_state", GO_MOTOR_STATE, (GO_MOTOR_COUNT,)),
        ("bms_state", GO_BMS_STATE),
        ("foot_force", "<i2", (4,)),
        ("foot_force_est", "<i2", (4,)),
        ("tick", "<u4"),
        ("wireless_remote", "u1", (40,)),
        ("bit_flag", "u1"),
        ("adc_reel", "<f4"),
        ("temperature_ntc1", "i1"),
        ("temperature_ntc2", "i1"),
        ("power_v", "<f4"),
        ("power_a", "<f4"),
        ("fan_frequency", "<u2", (4,)),
        ("reserve", "<u4"),
        ("crc", "<u4"),
    ]
)

HG_MOTOR_CMD = c_struct(
    [
        ("mode", "u1"),
        ("q", "<f4"),
        ("dq", "<f4"),
        ("tau", "<f4"),
        ("kp", "<f4"),
        ("kd", "<f4"),
        ("reserve", "<u4"),
    ]
)
HG_LOW_CMD = c_struct(
    [
        ("mode_pr", "u1"),
        ("mode_machine", "u1"),
        ("motor_cmd", HG_MOTOR_CMD, (HG_MOTOR_COUNT,)),
        ("reserve", "<u4", (4,)),
        ("crc", "<u4"),
    ]
)
HG_IMU_STATE = c_struct([*_IMU, ("temperature", "<i2")])
HG_MOTOR_STATE = c_struct(
    [
        ("mode", "u1"),
        *[(name, "<f4") for name in ("q", "dq", "ddq", "tau_est")],
        ("temperature", "<i2", (2,)),
        ("vol", "<f4"),
        ("sensor", "<u4", (2,)),
        ("motorstate", "<u4"),
        ("reserve", "<u4", (4,)),
    ]
)
HG_LOW_STATE = c_struct(
    [
        ("version", "<u4", (2,)),
        ("mode_pr", "u1"),
        ("mode_machine", "u1"),
        ("tick", "<u4"),
        ("imu_state", HG_IMU_STATE),
        ("motor_state", HG_MOTOR_STATE, (HG_MOTOR_COUNT,)),
        ("wireless_remote", "u1", (40,)),
        ("reserve", "<u4", (4,)),
        ("crc", "<u4"),
    ]
)

#: ROS message type → the C struct the firmware computes its CRC over.
STRUCTS: dict[str, np.dtype] = {
    "unitree_go/msg/LowCmd": GO_LOW_CMD,
    "unitree_go/msg/LowState": GO_LOW_STATE,
    "unitree_hg/msg/LowCmd": HG_LOW_CMD,
    "unitree_hg/msg/LowState": HG_LOW_STATE,
}


def pack(msgtype: str, message: Any, *, finite: bool = True) -> np.ndarray:
    """``message`` (any backend's message object, or a dict of its fields) as its packed C record.

    ``finite`` rejects NaN/inf in float fields with NonFiniteValueError; leave it on for
    commands.
    """
    return record_from_message(STRUCTS[msgtype], message, finite=finite)
