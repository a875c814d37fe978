"""Decode Unitree state messages (LowState, SportModeState) into SI arrays in ROS conventions.

Quaternions arrive in Unitree order (w, x, y, z) and leave in ROS order (x, y, z, w).
Joint arrays stay in SDK motor order; use ``joints.index_map`` to reorder by name. A
sample carrying NaN/inf is rejected with NonFiniteValueError rather than passed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from anynav.robots.errors import FieldError
from anynav.robots.records import field, require_finite, verify
from anynav.robots.unitree import structs

GO_LOW_STATE = "unitree_go/msg/LowState"
HG_LOW_STATE = "unitree_hg/msg/LowState"
SPORT_MODE_STATE = "unitree_go/msg/SportModeState"


@dataclass(frozen=True)
class ImuReading:
    """Body IMU in ROS conventions."""

    orientation_xyzw: np.ndarray  #: unit quaternion, ROS order
    angular_velocity: np.ndarray  #: rad/s, body frame (gyroscope)
    linear_acceleration: np.ndarray  #: m/s², body frame (accelerometer, gravity included)
    rpy: np.ndarray  #: roll, pitch, yaw in rad as the robot estimates them
    temperature_c: float


@dataclass(frozen=True)
class BatteryReading:
    """Battery as LowState reports it (Go2/H1 only; the humanoid LowState has none)."""

    soc_percent: float
    current_a: float  #: BMS current, A (sign as reported)
    voltage_v: float  #: supply voltage, V
    cell_voltages_v: np.ndarray


@dataclass(frozen=True)
class LowStateReading:
    """Joint, IMU and battery state of one LowState sample, joints in SDK motor order."""

    tick: int
    q: np.ndarray
    dq: np.ndarray
    ddq: np.ndarray
    tau_est: np.ndarray
    motor_temperature_c: np.ndarray
    imu: ImuReading
    battery: BatteryReading | None
    foot_force: np.ndarray | None
    mode_machine: int | None  #: humanoid LowState only: echo it in every LowCmd


@dataclass(frozen=True)
class SportReading:
    """Odometry-relevant fields of one SportModeState sample."""

    stamp_ns: int
    mode: int  #: 0 idle, 1 balance stand, 3 locomotion, 7 damping ...
    gait_type: int
    error_code: int
    position: np.ndarray  #: m, the robot's own odometry (drifts)
    orientation_xyzw: np.ndarray
    body_velocity: np.ndarray  #: vx, vy, vz in m/s, body frame
    yaw_rate: float  #: rad/s
    body_height: float
    imu: ImuReading
    foot_force: np.ndarray


def unitree_to_ros_quaternion(wxyz: Any) -> np.ndarray:
    """(w, x, y, z) → (x, y, z, w), normalised; rejects a zero-length quaternion."""
    q = np.asarray(wxyz, dtype=np.float64)
    norm = float(np.linalg.norm(q))
    if q.shape != (4,) or not 0.5 < norm < 1.5:
        raise FieldError("imu_state.quaternion", f"expected a unit quaternion (w, x, y, z), got {q}")
    return np.array([q[1], q[2], q[3], q[0]]) / norm


def _imu(imu: np.void) -> ImuReading:
    return ImuReading(
        orientation_xyzw=unitree_to_ros_quaternion(imu["quaternion"]),
        angular_velocity=imu["gyroscope"].astype(np.float64),
        linear_acceleration=imu["accelerometer"].astype(np.float64),
        rpy=imu["rpy"].astype(np.float64),
        temperature_c=float(imu["temperature"]),
    )


def _motors(motors: np.ndarray, count: int) -> dict[str, np.ndarray]:
    if not 1 <= count <= len(motors):
        raise FieldError("motor_state", f"motor count must be in [1, {len(motors)}], got {count}")
    used = motors[:count]
    temperature = used["temperature"]
    return {
        "q": used["q"].astype(np.float64),
        "dq": used["dq"].astype(np.float64),
        "ddq": used["ddq"].astype(np.float64),
        "tau_est": used["tau_est"].astype(np.float64),
        "motor_temperature_c": (temperature if temperature.ndim == 1 else temperature.max(axis=1)).astype(np.float64),
    }


def decode_go_low_state(
    message: Any, *, motors: int = structs.GO_MOTOR_COUNT, verify_crc: bool = True
) -> LowStateReading:
    """Joints (first ``motors`` slots), IMU and battery of a unitree_go/msg/LowState (Go2: 12, H1: 20).

    ``verify_crc`` rejects a sample whose crc does not match its packed struct
    (CrcMismatchError), as the SDK's consumers do.
    """
    record = structs.pack(GO_LOW_STATE, message)
    if verify_crc:
        verify(GO_LOW_STATE, record)
    state = record[0]
    bms = state["bms_state"]
    return LowStateReading(
        tick=int(state["tick"]),
        **_motors(state["motor_state"], motors),
        imu=_imu(state["imu_state"]),
        battery=BatteryReading(
            soc_percent=float(bms["soc"]),
            current_a=float(bms["current"]) / 1000.0,
            voltage_v=float(state["power_v"]),
            cell_voltages_v=bms["cell_vol"].astype(np.float64) / 1000.0,
        ),
        foot_force=state["foot_force"].astype(np.float64),
        mode_machine=None,
    )


def decode_hg_low_state(
    message: Any, *, motors: int = structs.HG_MOTOR_COUNT, verify_crc: bool = True
) -> LowStateReading:
    """Joints (first ``motors`` slots) and IMU of a unitree_hg/msg/LowState (G1: 29, H1-2: 27)."""
    record = structs.pack(HG_LOW_STATE, message)
    if verify_crc:
        verify(HG_LOW_STATE, record)
    state = record[0]
    return LowStateReading(
        tick=int(state["tick"]),
        **_motors(state["motor_state"], motors),
        imu=_imu(state["imu_state"]),
        battery=None,
        foot_force=None,
        mode_machine=int(state["mode_machine"]),
    )


def _finite_vector(message: Any, name: str, length: int, prefix: str = "") -> np.ndarray:
    value = require_finite(prefix + name, field(message, name))
    if value.shape != (length,):
        raise FieldError(prefix + name, f"expected {length} values, got shape {value.shape}")
    return value


def decode_sport_state(message: Any, *, velocity_frame: Literal["world", "body"] = "world") -> SportReading:
    """Odometry of a unitree_go/msg/SportModeState, velocity rotated into the body frame.

    ``velocity_frame`` says in which frame this firmware reports ``velocity``: community
    code disagrees (the Go1 SDK says body, Go2 users report world), so it is a robot
    setting to check on hardware; "world" rotates it by the IMU yaw.
    """
    if velocity_frame not in ("world", "body"):
        raise FieldError("velocity_frame", f"must be 'world' or 'body', got {velocity_frame!r}")
    stamp = field(message, "stamp")
    imu_message = field(message, "imu_state")
    imu_fields = {
        name: _finite_vector(imu_message, name, length, "imu_state.")
        for name, length in (
            ("quaternion", 4),
            ("gyroscope", 3),
            ("accelerometer", 3),
            ("rpy", 3),
        )
    }
    imu = ImuReading(
        orientation_xyzw=unitree_to_ros_quaternion(imu_fields["quaternion"]),
        angular_velocity=imu_fields["gyroscope"],
        linear_acceleration=imu_fields["accelerometer"],
        rpy=imu_fields["rpy"],
        temperature_c=float(field(imu_message, "temperature")),
    )
    velocity = _finite_vector(message, "velocity", 3)
    if velocity_frame == "world":
        yaw = imu.rpy[2]
        cos, sin = np.cos(yaw), np.sin(yaw)
        velocity = np.array(
            [
                cos * velocity[0] + sin * velocity[1],
                -sin * velocity[0] + cos * velocity[1],
                velocity[2],
            ]
        )
    scalars = {name: float(require_finite(name, field(message, name))) for name in ("yaw_speed", "body_height")}
    return SportReading(
        stamp_ns=int(field(stamp, "sec")) * 1_000_000_000 + int(field(stamp, "nanosec")),
        mode=int(field(message, "mode")),
        gait_type=int(field(message, "gait_type")),
        error_code=int(field(message, "error_code")),
        position=_finite_vector(message, "position", 3),
        orientation_xyzw=imu.orientation_xyzw,
        body_velocity=velocity,
        yaw_rate=scalars["yaw_speed"],
        body_height=scalars["body_height"],
        imu=imu,
        foot_force=np.asarray(field(message, "foot_force"), dtype=np.float64),
    )
