"""Go1 high-level UDP frames (unitree_legged_sdk 3.8.x, ``#pragma pack(1)``): HighCmd 129 B, HighState 1087 B.

Both carry Unitree's CRC-32 in their last 4 bytes, computed like legged_sdk's
``crc32_core(ptr, (sizeof(T) >> 2) - 1)``: over the first 31 (HighCmd) or 270
(HighState) whole words. Field ranges are the ones comm.h documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from anynav.robots.errors import FieldError, FrameError, NonFiniteValueError
from anynav.robots.records import (
    c_struct,
    record_from_bytes,
    require_finite,
    sign,
    verify,
)
from anynav.robots.unitree.state import ImuReading, unitree_to_ros_quaternion

HEAD = (0xFE, 0xEF)
HIGH_LEVEL = 0xEE
DEFAULT_ROBOT_HOST = "192.168.123.161"
DEFAULT_ROBOT_PORT = 8082

_HEADER = [
    ("head", "u1", (2,)),
    ("level_flag", "u1"),
    ("frame_reserve", "u1"),
    ("sn", "<u4", (2,)),
    ("version", "<u4", (2,)),
    ("band_width", "<u2"),
]
BMS_CMD = c_struct([("off", "u1"), ("reserve", "u1", (3,))], packed=True)
HIGH_CMD = c_struct(
    [
        *_HEADER,
        ("mode", "u1"),
        ("gait_type", "u1"),
        ("speed_level", "u1"),
        ("foot_raise_height", "<f4"),
        ("body_height", "<f4"),
        ("position", "<f4", (2,)),
        ("euler", "<f4", (3,)),
        ("velocity", "<f4", (2,)),
        ("yaw_speed", "<f4"),
        ("bms", BMS_CMD),
        ("led", "u1", (4, 3)),
        ("wireless_remote", "u1", (40,)),
        ("reserve", "<u4"),
        ("crc", "<u4"),
    ],
    packed=True,
)
IMU = c_struct(
    [
        ("quaternion", "<f4", (4,)),
        ("gyroscope", "<f4", (3,)),
        ("accelerometer", "<f4", (3,)),
        ("rpy", "<f4", (3,)),
        ("temperature", "i1"),
    ],
    packed=True,
)
MOTOR_STATE = c_struct(
    [
        ("mode", "u1"),
        *[(name, "<f4") for name in ("q", "dq", "ddq", "tau_est", "q_raw", "dq_raw", "ddq_raw")],
        ("temperature", "i1"),
        ("reserve", "<u4", (2,)),
    ],
    packed=True,
)
BMS_STATE = c_struct(
    [
        ("version_h", "u1"),
        ("version_l", "u1"),
        ("bms_status", "u1"),
        ("soc", "u1"),
        ("current", "<i4"),
        ("cycle", "<u2"),
        ("bq_ntc", "i1", (2,)),
        ("mcu_ntc", "i1", (2,)),
        ("cell_vol", "<u2", (10,)),
    ],
    packed=True,
)
HIGH_STATE = c_struct(
    [
        *_HEADER,
        ("imu", IMU),
        ("motor_state", MOTOR_STATE, (20,)),
        ("bms", BMS_STATE),
        ("foot_force", "<i2", (4,)),
        ("foot_force_est", "<i2", (4,)),
        ("mode", "u1"),
        ("progress", "<f4"),
        ("gait_type", "u1"),
        ("foot_raise_height", "<f4"),
        ("position", "<f4", (3,)),
        ("body_height", "<f4"),
        ("velocity", "<f4", (3,)),
        ("yaw_speed", "<f4"),
        ("range_obstacle", "<f4", (4,)),
        ("foot_position_to_body", "<f4", (4, 3)),
        ("foot_speed_to_body", "<f4", (4, 3)),
        ("wireless_remote", "u1", (40,)),
        ("reserve", "<u4"),
        ("crc", "<u4"),
    ],
    packed=True,
)


class Mode(IntEnum):
    """HighCmd.mode."""

    IDLE = 0  #: default stand
    FORCE_STAND = 1  #: body pose from euler + body_height
    VELOCITY_WALK = 2  #: walk at velocity + yaw_speed
    POSITION_WALK = 3  #: reserved
    PATH_WALK = 4  #: reserved
    STAND_DOWN = 5
    STAND_UP = 6
    DAMPING = 7
    RECOVERY_STAND = 8
    BACKFLIP = 9  #: reserved
    JUMP_YAW = 10
    STRAIGHT_HAND = 11


class GaitType(IntEnum):
    """HighCmd.gait_type."""

    IDLE = 0
    TROT = 1
    TROT_RUNNING = 2
    CLIMB_STAIR = 3
    TROT_OBSTACLE = 4


#: gait → (vx range, vy range, |yaw speed| limit), from comm.h.
_SPEED_LIMITS = {
    GaitType.IDLE: ((-1.1, 1.5), (-1.0, 1.0), 4.0),
    GaitType.TROT: ((-1.1, 1.5), (-1.0, 1.0), 4.0),
    GaitType.TROT_RUNNING: ((-2.5, 3.5), (-1.0, 1.0), 4.0),
    GaitType.CLIMB_STAIR: ((-0.2, 0.25), (-0.15, 0.15), 0.7),
    GaitType.TROT_OBSTACLE: ((-1.1, 1.5), (-1.0, 1.0), 4.0),
}
_EULER_LIMITS = (0.75, 0.75, 0.6)


@dataclass(frozen=True)
class HighCmd:
    """What a Go1 HighCmd asks for. The frame's head, level flag and CRC are added when packing."""

    mode: int = Mode.IDLE
    gait_type: int = GaitType.IDLE
    speed_level: int = 0
    foot_raise_height: float = 0.0  #: m, delta to the default, [-0.06, 0.03]
    body_height: float = 0.0  #: m, delta to the default, [-0.13, 0.03]
    position: tuple[float, float] = (0.0, 0.0)
    euler: tuple[float, float, float] = (
        0.0,
        0.0,
        0.0,
    )  #: rad, roll/pitch ±0.75, yaw ±0.6
    velocity: tuple[float, float] = (0.0, 0.0)  #: m/s, body frame, limits per gait
    yaw_speed: float = 0.0  #: rad/s
    led: tuple[tuple[int, int, int], ...] = field(default=((0, 0, 0),) * 4)


def velocity_cmd(vx: float, vy: float, yaw_speed: float, gait: int = GaitType.TROT) -> HighCmd:
    """Walk at body-frame ``vx``, ``vy`` (m/s) and ``yaw_speed`` (rad/s): mode 2 with a trot by default."""
    return HighCmd(mode=Mode.VELOCITY_WALK, gait_type=gait, velocity=(vx, vy), yaw_speed=yaw_speed)


def stand_cmd() -> HighCmd:
    """Stand still (mode 0): what to send when the velocity input goes stale."""
    return HighCmd()


def damping_cmd() -> HighCmd:
    """Damping (mode 7): the e-stop; the robot lies down limp."""
    return HighCmd(mode=Mode.DAMPING)


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise FieldError(name, f"{value} outside [{low}, {high}]")


def check_high_cmd(cmd: HighCmd) -> None:
    """Raise FieldError / NonFiniteValueError unless every field is finite and inside comm.h's ranges."""
    if cmd.mode not in set(Mode):
        raise FieldError(
            "mode",
            f"{cmd.mode!r} is not one of {[f'{m.name}={m.value}' for m in Mode]}",
        )
    if cmd.gait_type not in set(GaitType):
        raise FieldError(
            "gait_type",
            f"{cmd.gait_type!r} is not one of {[f'{g.name}={g.value}' for g in GaitType]}",
        )
    _check_range("speed_level", cmd.speed_level, 0, 2)
    for name in ("foot_raise_height", "body_height", "yaw_speed"):
        if not math.isfinite(getattr(cmd, name)):
            raise NonFiniteValueError(name, f"{getattr(cmd, name)} is not finite")
    vectors = {name: require_finite(name, getattr(cmd, name)) for name in ("position", "euler", "velocity")}
    for name, length in (("position", 2), ("euler", 3), ("velocity", 2)):
        if vectors[name].shape != (length,):
            raise FieldError(name, f"expected {length} values, got shape {vectors[name].shape}")
    euler, velocity = vectors["euler"], vectors["velocity"]
    _check_range("foot_raise_height", cmd.foot_raise_height, -0.06, 0.03)
    _check_range("body_height", cmd.body_height, -0.13, 0.03)
    for i, (angle, limit) in enumerate(zip(euler, _EULER_LIMITS)):
        _check_range(f"euler[{i}]", float(angle), -limit, limit)
    (vx_low, vx_high), (vy_low, vy_high), yaw_limit = _SPEED_LIMITS[GaitType(cmd.gait_type)]
    _check_range("velocity[0]", float(velocity[0]), vx_low, vx_high)
    _check_range("velocity[1]", float(velocity[1]), vy_low, vy_high)
    _check_range("yaw_speed", cmd.yaw_speed, -yaw_limit, yaw_limit)
    led = np.asarray(cmd.led)
    if led.shape != (4, 3) or led.dtype.kind not in "iu" or led.min() < 0 or led.max() > 255:
        raise FieldError("led", f"expected 4 (r, g, b) bytes, got {cmd.led!r}")


def pack_high_cmd(cmd: HighCmd) -> bytes:
    """The 129-byte UDP frame of ``cmd``: head 0xFE 0xEF, level flag 0xEE, CRC last. Checks ``cmd`` first."""
    check_high_cmd(cmd)
    record = np.zeros(1, dtype=HIGH_CMD)
    record["head"] = HEAD
    record["level_flag"] = HIGH_LEVEL
    for name in (
        "mode",
        "gait_type",
        "speed_level",
        "foot_raise_height",
        "body_height",
        "position",
        "euler",
        "velocity",
        "yaw_speed",
        "led",
    ):
        record[name] = getattr(cmd, name)
    sign(record)
    return record.tobytes()


def _checked_frame(dtype: np.dtype, frame: bytes, what: str) -> np.ndarray:
    record = record_from_bytes(dtype, frame, what)
    head = tuple(int(b) for b in record["head"][0])
    if head != HEAD:
        raise FrameError("head", f"{what}: head {head[0]:#04x} {head[1]:#04x}, expected 0xfe 0xef")
    if int(record["level_flag"][0]) != HIGH_LEVEL:
        raise FrameError(
            "level_flag",
            f"{what}: level flag {int(record['level_flag'][0]):#04x}, expected {HIGH_LEVEL:#04x} (high level)",
        )
    verify(what, record)
    return record


def parse_high_cmd(frame: bytes) -> HighCmd:
    """A received HighCmd frame as a HighCmd: checks length, head, level flag, CRC, then every field."""
    record = _checked_frame(HIGH_CMD, frame, "HighCmd")[0]
    cmd = HighCmd(
        mode=int(record["mode"]),
        gait_type=int(record["gait_type"]),
        speed_level=int(record["speed_level"]),
        foot_raise_height=float(record["foot_raise_height"]),
        body_height=float(record["body_height"]),
        position=tuple(float(v) for v in record["position"]),
        euler=tuple(float(v) for v in record["euler"]),
        velocity=tuple(float(v) for v in record["velocity"]),
        yaw_speed=float(record["yaw_speed"]),
        led=tuple(tuple(int(c) for c in rgb) for rgb in record["led"]),
    )
    check_high_cmd(cmd)
    return cmd


@dataclass(frozen=True)
class Go1State:
    """Odometry-relevant fields of a HighState, in ROS conventions."""

    mode: int
    gait_type: int
    position: np.ndarray  #: m, the robot's own odometry (drifts)
    orientation_xyzw: np.ndarray
    body_velocity: np.ndarray  #: vx, vy, vz in m/s, body frame (comm.h)
    yaw_rate: float  #: rad/s
    body_height: float
    imu: ImuReading
    foot_force: np.ndarray
    battery_soc_percent: float


def empty_high_state() -> np.ndarray:
    """A zeroed one-element HighState record with head and level flag set, for a sender to fill and sign."""
    record = np.zeros(1, dtype=HIGH_STATE)
    record["head"] = HEAD
    record["level_flag"] = HIGH_LEVEL
    return record


def parse_high_state(frame: bytes) -> Go1State:
    """A received HighState frame decoded: checks length, head, level flag, CRC and finiteness."""
    state = _checked_frame(HIGH_STATE, frame, "HighState")[0]
    imu = state["imu"]
    imu_reading = ImuReading(
        orientation_xyzw=unitree_to_ros_quaternion(require_finite("imu.quaternion", imu["quaternion"])),
        angular_velocity=require_finite("imu.gyroscope", imu["gyroscope"]),
        linear_acceleration=require_finite("imu.accelerometer", imu["accelerometer"]),
        rpy=require_finite("imu.rpy", imu["rpy"]),
        temperature_c=float(imu["temperature"]),
    )
    return Go1State(
        mode=int(state["mode"]),
        gait_type=int(state["gait_type"]),
        position=require_finite("position", state["position"]),
        orientation_xyzw=imu_reading.orientation_xyzw,
        body_velocity=require_finite("velocity", state["velocity"]),
        yaw_rate=float(require_finite("yaw_speed", state["yaw_speed"])),
        body_height=float(require_finite("body_height", state["body_height"])),
        imu=imu_reading,
        foot_force=state["foot_force"].astype(np.float64),
        battery_soc_percent=float(state["bms"]["soc"]),
    )
