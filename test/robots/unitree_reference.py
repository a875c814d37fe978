"""Independent, deliberately plain implementations of what the reference describes, for tests only.

- Unitree's CRC loop exactly as described: words MSB first, poly 0x04C11DB7, init
  0xFFFFFFFF, shift then inject the data bit, no reflection, no final XOR.
- The same CRC in legged_sdk's other formulation (XOR the top bit with the data bit).
- The C structs as ctypes declares them (natural alignment, or pack(1) for Go1 UDP),
  and unitree_sdk2's struct format string for the go LowCmd.
"""

from __future__ import annotations

import ctypes
import struct
from typing import Any

POLY = 0x04C11DB7


def crc_shift_then_inject(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for (word,) in struct.iter_unpack("<I", data):
        bit = 1 << 31
        for _ in range(32):
            if crc & 0x80000000:
                crc = ((crc << 1) & 0xFFFFFFFF) ^ POLY
            else:
                crc = (crc << 1) & 0xFFFFFFFF
            if word & bit:
                crc ^= POLY
            bit >>= 1
    return crc


def crc_xor_top_bit(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for (word,) in struct.iter_unpack("<I", data):
        for b in range(32):
            top = (crc >> 31) & 1
            crc = (crc << 1) & 0xFFFFFFFF
            if top ^ ((word >> (31 - b)) & 1):
                crc ^= POLY
    return crc


def struct_crc_reference(packed: bytes) -> int:
    """CRC over the first len // 4 - 1 words, as crc32_core(ptr, (sizeof(T) >> 2) - 1)."""
    return crc_shift_then_inject(packed[: 4 * (len(packed) // 4 - 1)])


# --- C structs, natural alignment (unitree_sdk2 DDS messages) ---------------------------

u8, i8, u16, i16, u32, i32, f32 = (
    ctypes.c_uint8,
    ctypes.c_int8,
    ctypes.c_uint16,
    ctypes.c_int16,
    ctypes.c_uint32,
    ctypes.c_int32,
    ctypes.c_float,
)


class GoMotorCmd(ctypes.Structure):
    _fields_ = [
        ("mode", u8),
        ("q", f32),
        ("dq", f32),
        ("tau", f32),
        ("kp", f32),
        ("kd", f32),
        ("reserve", u32 * 3),
    ]


class GoBmsCmd(ctypes.Structure):
    _fields_ = [("off", u8), ("reserve", u8 * 3)]


_GO_HEAD = [
    ("head", u8 * 2),
    ("level_flag", u8),
    ("frame_reserve", u8),
    ("sn", u32 * 2),
    ("version", u32 * 2),
    ("bandwidth", u16),
]


class GoLowCmd(ctypes.Structure):
    _fields_ = [
        *_GO_HEAD,
        ("motor_cmd", GoMotorCmd * 20),
        ("bms_cmd", GoBmsCmd),
        ("wireless_remote", u8 * 40),
        ("led", u8 * 12),
        ("fan", u8 * 2),
        ("gpio", u8),
        ("reserve", u32),
        ("crc", u32),
    ]


class GoIMUState(ctypes.Structure):
    _fields_ = [
        ("quaternion", f32 * 4),
        ("gyroscope", f32 * 3),
        ("accelerometer", f32 * 3),
        ("rpy", f32 * 3),
        ("temperature", i8),
    ]


class GoMotorState(ctypes.Structure):
    _fields_ = [
        ("mode", u8),
        ("q", f32),
        ("dq", f32),
        ("ddq", f32),
        ("tau_est", f32),
        ("q_raw", f32),
        ("dq_raw", f32),
        ("ddq_raw", f32),
        ("temperature", i8),
        ("lost", u32),
        ("reserve", u32 * 2),
    ]


class GoBmsState(ctypes.Structure):
    _fields_ = [
        ("version_high", u8),
        ("version_low", u8),
        ("status", u8),
        ("soc", u8),
        ("current", i32),
        ("cycle", u16),
        ("bq_ntc", i8 * 2),
        ("mcu_ntc", i8 * 2),
        ("cell_vol", u16 * 15),
    ]


class GoLowState(ctypes.Structure):
    _fields_ = [
        *_GO_HEAD,
        ("imu_state", GoIMUState),
        ("motor_state", GoMotorState * 20),
        ("bms_state", GoBmsState),
        ("foot_force", i16 * 4),
        ("foot_force_est", i16 * 4),
        ("tick", u32),
        ("wireless_remote", u8 * 40),
        ("bit_flag", u8),
        ("adc_reel", f32),
        ("temperature_ntc1", i8),
        ("temperature_ntc2", i8),
        ("power_v", f32),
        ("power_a", f32),
        ("fan_frequency", u16 * 4),
        ("reserve", u32),
        ("crc", u32),
    ]


class HgMotorCmd(ctypes.Structure):
    _fields_ = [
        ("mode", u8),
        ("q", f32),
        ("dq", f32),
        ("tau", f32),
        ("kp", f32),
        ("kd", f32),
        ("reserve", u32),
    ]


class HgLowCmd(ctypes.Structure):
    _fields_ = [
        ("mode_pr", u8),
        ("mode_machine", u8),
        ("motor_cmd", HgMotorCmd * 35),
        ("reserve", u32 * 4),
        ("crc", u32),
    ]


class HgIMUState(ctypes.Structure):
    _fields_ = [
        ("quaternion", f32 * 4),
        ("gyroscope", f32 * 3),
        ("accelerometer", f32 * 3),
        ("rpy", f32 * 3),
        ("temperature", i16),
    ]


class HgMotorState(ctypes.Structure):
    _fields_ = [
        ("mode", u8),
        ("q", f32),
        ("dq", f32),
        ("ddq", f32),
        ("tau_est", f32),
        ("temperature", i16 * 2),
        ("vol", f32),
        ("sensor", u32 * 2),
        ("motorstate", u32),
        ("reserve", u32 * 4),
    ]


class HgLowState(ctypes.Structure):
    _fields_ = [
        ("version", u32 * 2),
        ("mode_pr", u8),
        ("mode_machine", u8),
        ("tick", u32),
        ("imu_state", HgIMUState),
        ("motor_state", HgMotorState * 35),
        ("wireless_remote", u8 * 40),
        ("reserve", u32 * 4),
        ("crc", u32),
    ]


# --- Go1 legged_sdk 3.8.x, #pragma pack(1) -------------------------------------------------


class _Packed(ctypes.Structure):
    _pack_ = 1


class Go1BmsCmd(_Packed):
    _fields_ = [("off", u8), ("reserve", u8 * 3)]


class Go1Led(_Packed):
    _fields_ = [("r", u8), ("g", u8), ("b", u8)]


class Go1HighCmd(_Packed):
    _fields_ = [
        ("head", u8 * 2),
        ("levelFlag", u8),
        ("frameReserve", u8),
        ("SN", u32 * 2),
        ("version", u32 * 2),
        ("bandWidth", u16),
        ("mode", u8),
        ("gaitType", u8),
        ("speedLevel", u8),
        ("footRaiseHeight", f32),
        ("bodyHeight", f32),
        ("position", f32 * 2),
        ("euler", f32 * 3),
        ("velocity", f32 * 2),
        ("yawSpeed", f32),
        ("bms", Go1BmsCmd),
        ("led", Go1Led * 4),
        ("wirelessRemote", u8 * 40),
        ("reserve", u32),
        ("crc", u32),
    ]


class Go1Imu(_Packed):
    _fields_ = [
        ("quaternion", f32 * 4),
        ("gyroscope", f32 * 3),
        ("accelerometer", f32 * 3),
        ("rpy", f32 * 3),
        ("temperature", i8),
    ]


class Go1MotorState(_Packed):
    _fields_ = [
        ("mode", u8),
        ("q", f32),
        ("dq", f32),
        ("ddq", f32),
        ("tauEst", f32),
        ("q_raw", f32),
        ("dq_raw", f32),
        ("ddq_raw", f32),
        ("temperature", i8),
        ("reserve", u32 * 2),
    ]


class Go1BmsState(_Packed):
    _fields_ = [
        ("version_h", u8),
        ("version_l", u8),
        ("bms_status", u8),
        ("SOC", u8),
        ("current", i32),
        ("cycle", u16),
        ("BQ_NTC", i8 * 2),
        ("MCU_NTC", i8 * 2),
        ("cell_vol", u16 * 10),
    ]


class Go1Cartesian(_Packed):
    _fields_ = [("x", f32), ("y", f32), ("z", f32)]


class Go1HighState(_Packed):
    _fields_ = [
        ("head", u8 * 2),
        ("levelFlag", u8),
        ("frameReserve", u8),
        ("SN", u32 * 2),
        ("version", u32 * 2),
        ("bandWidth", u16),
        ("imu", Go1Imu),
        ("motorState", Go1MotorState * 20),
        ("bms", Go1BmsState),
        ("footForce", i16 * 4),
        ("footForceEst", i16 * 4),
        ("mode", u8),
        ("progress", f32),
        ("gaitType", u8),
        ("footRaiseHeight", f32),
        ("position", f32 * 3),
        ("bodyHeight", f32),
        ("velocity", f32 * 3),
        ("yawSpeed", f32),
        ("rangeObstacle", f32 * 4),
        ("footPosition2Body", Go1Cartesian * 4),
        ("footSpeed2Body", Go1Cartesian * 4),
        ("wirelessRemote", u8 * 40),
        ("reserve", u32),
        ("crc", u32),
    ]


CTYPES_FOR = {
    "unitree_go/msg/LowCmd": GoLowCmd,
    "unitree_go/msg/LowState": GoLowState,
    "unitree_hg/msg/LowCmd": HgLowCmd,
    "unitree_hg/msg/LowState": HgLowState,
}

#: unitree_sdk2's own pack format for the go LowCmd (the reference quotes it)
GO_LOW_CMD_FORMAT = "<4B4IH2x" + "B3x5f3I" * 20 + "4B" + "55Bx2I"


def fill_ctypes(target: Any, fields: dict[str, Any]) -> None:
    """Copy nested message fields into a ctypes struct by field name."""
    for name, value in fields.items():
        current = getattr(target, name)
        if isinstance(value, dict):
            fill_ctypes(current, value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for element, element_fields in zip(current, value):
                fill_ctypes(element, element_fields)
        elif hasattr(current, "__len__"):
            for i, item in enumerate(value):
                current[i] = item.item() if hasattr(item, "item") else item
        else:
            setattr(target, name, value)


def go_low_cmd_sdk_pack(fields: dict[str, Any]) -> bytes:
    """The go LowCmd packed with unitree_sdk2's struct format, field by field in IDL order."""
    values: list[Any] = [
        *fields["head"],
        fields["level_flag"],
        fields["frame_reserve"],
        *fields["sn"],
        *fields["version"],
        fields["bandwidth"],
    ]
    for motor in fields["motor_cmd"]:
        values += [
            motor["mode"],
            motor["q"],
            motor["dq"],
            motor["tau"],
            motor["kp"],
            motor["kd"],
            *motor["reserve"],
        ]
    values += [
        fields["bms_cmd"]["off"],
        *fields["bms_cmd"]["reserve"],
        *fields["wireless_remote"],
        *fields["led"],
        *fields["fan"],
        fields["gpio"],
        fields["reserve"],
        fields["crc"],
    ]
    return struct.pack(GO_LOW_CMD_FORMAT, *[v.item() if hasattr(v, "item") else v for v in values])
