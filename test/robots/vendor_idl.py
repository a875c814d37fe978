"""The vendors' DDS types written out independently (cyclonedds IdlStruct) from the reference's field lists.

Used only to check that our .msg definitions give byte-identical CDR: field order, types,
array lengths. Signedness follows unitree_sdk2's IDL where it differs from the ROS .msg
files (same bytes on the wire). No ``from __future__ import annotations`` here: cyclonedds
reads the annotations as objects.
"""

from dataclasses import dataclass

import cyclonedds.idl.types as t
from cyclonedds.idl import IdlStruct


@dataclass
class GoMotorCmd(IdlStruct, typename="unitree_go::msg::dds_::MotorCmd_"):
    mode: t.uint8
    q: t.float32
    dq: t.float32
    tau: t.float32
    kp: t.float32
    kd: t.float32
    reserve: t.array[t.uint32, 3]


@dataclass
class GoBmsCmd(IdlStruct, typename="unitree_go::msg::dds_::BmsCmd_"):
    off: t.uint8
    reserve: t.array[t.uint8, 3]


@dataclass
class GoLowCmd(IdlStruct, typename="unitree_go::msg::dds_::LowCmd_"):
    head: t.array[t.uint8, 2]
    level_flag: t.uint8
    frame_reserve: t.uint8
    sn: t.array[t.uint32, 2]
    version: t.array[t.uint32, 2]
    bandwidth: t.uint16
    motor_cmd: t.array[GoMotorCmd, 20]
    bms_cmd: GoBmsCmd
    wireless_remote: t.array[t.uint8, 40]
    led: t.array[t.uint8, 12]
    fan: t.array[t.uint8, 2]
    gpio: t.uint8
    reserve: t.uint32
    crc: t.uint32


@dataclass
class GoIMUState(IdlStruct, typename="unitree_go::msg::dds_::IMUState_"):
    quaternion: t.array[t.float32, 4]
    gyroscope: t.array[t.float32, 3]
    accelerometer: t.array[t.float32, 3]
    rpy: t.array[t.float32, 3]
    temperature: t.uint8


@dataclass
class GoMotorState(IdlStruct, typename="unitree_go::msg::dds_::MotorState_"):
    mode: t.uint8
    q: t.float32
    dq: t.float32
    ddq: t.float32
    tau_est: t.float32
    q_raw: t.float32
    dq_raw: t.float32
    ddq_raw: t.float32
    temperature: t.uint8
    lost: t.uint32
    reserve: t.array[t.uint32, 2]


@dataclass
class GoBmsState(IdlStruct, typename="unitree_go::msg::dds_::BmsState_"):
    version_high: t.uint8
    version_low: t.uint8
    status: t.uint8
    soc: t.uint8
    current: t.int32
    cycle: t.uint16
    bq_ntc: t.array[t.uint8, 2]
    mcu_ntc: t.array[t.uint8, 2]
    cell_vol: t.array[t.uint16, 15]


@dataclass
class GoLowState(IdlStruct, typename="unitree_go::msg::dds_::LowState_"):
    head: t.array[t.uint8, 2]
    level_flag: t.uint8
    frame_reserve: t.uint8
    sn: t.array[t.uint32, 2]
    version: t.array[t.uint32, 2]
    bandwidth: t.uint16
    imu_state: GoIMUState
    motor_state: t.array[GoMotorState, 20]
    bms_state: GoBmsState
    foot_force: t.array[t.int16, 4]
    foot_force_est: t.array[t.int16, 4]
    tick: t.uint32
    wireless_remote: t.array[t.uint8, 40]
    bit_flag: t.uint8
    adc_reel: t.float32
    temperature_ntc1: t.uint8
    temperature_ntc2: t.uint8
    power_v: t.float32
    power_a: t.float32
    fan_frequency: t.array[t.uint16, 4]
    reserve: t.uint32
    crc: t.uint32


@dataclass
class GoTimeSpec(IdlStruct, typename="unitree_go::msg::dds_::TimeSpec_"):
    sec: t.int32
    nanosec: t.uint32


@dataclass
class GoPathPoint(IdlStruct, typename="unitree_go::msg::dds_::PathPoint_"):
    t_from_start: t.float32
    x: t.float32
    y: t.float32
    yaw: t.float32
    vx: t.float32
    vy: t.float32
    vyaw: t.float32


@dataclass
class GoSportModeState(IdlStruct, typename="unitree_go::msg::dds_::SportModeState_"):
    stamp: GoTimeSpec
    error_code: t.uint32
    imu_state: GoIMUState
    mode: t.uint8
    progress: t.float32
    gait_type: t.uint8
    foot_raise_height: t.float32
    position: t.array[t.float32, 3]
    body_height: t.float32
    velocity: t.array[t.float32, 3]
    yaw_speed: t.float32
    range_obstacle: t.array[t.float32, 4]
    foot_force: t.array[t.int16, 4]
    foot_position_body: t.array[t.float32, 12]
    foot_speed_body: t.array[t.float32, 12]
    path_point: t.array[GoPathPoint, 10]


@dataclass
class GoWirelessController(IdlStruct, typename="unitree_go::msg::dds_::WirelessController_"):
    lx: t.float32
    ly: t.float32
    rx: t.float32
    ry: t.float32
    keys: t.uint16


@dataclass
class HgMotorCmd(IdlStruct, typename="unitree_hg::msg::dds_::MotorCmd_"):
    mode: t.uint8
    q: t.float32
    dq: t.float32
    tau: t.float32
    kp: t.float32
    kd: t.float32
    reserve: t.uint32


@dataclass
class HgLowCmd(IdlStruct, typename="unitree_hg::msg::dds_::LowCmd_"):
    mode_pr: t.uint8
    mode_machine: t.uint8
    motor_cmd: t.array[HgMotorCmd, 35]
    reserve: t.array[t.uint32, 4]
    crc: t.uint32


@dataclass
class HgIMUState(IdlStruct, typename="unitree_hg::msg::dds_::IMUState_"):
    quaternion: t.array[t.float32, 4]
    gyroscope: t.array[t.float32, 3]
    accelerometer: t.array[t.float32, 3]
    rpy: t.array[t.float32, 3]
    temperature: t.int16


@dataclass
class HgMotorState(IdlStruct, typename="unitree_hg::msg::dds_::MotorState_"):
    mode: t.uint8
    q: t.float32
    dq: t.float32
    ddq: t.float32
    tau_est: t.float32
    temperature: t.array[t.int16, 2]
    vol: t.float32
    sensor: t.array[t.uint32, 2]
    motorstate: t.uint32
    reserve: t.array[t.uint32, 4]


@dataclass
class HgLowState(IdlStruct, typename="unitree_hg::msg::dds_::LowState_"):
    version: t.array[t.uint32, 2]
    mode_pr: t.uint8
    mode_machine: t.uint8
    tick: t.uint32
    imu_state: HgIMUState
    motor_state: t.array[HgMotorState, 35]
    wireless_remote: t.array[t.uint8, 40]
    reserve: t.array[t.uint32, 4]
    crc: t.uint32


@dataclass
class ApiRequestIdentity(IdlStruct, typename="unitree_api::msg::dds_::RequestIdentity_"):
    id: t.int64
    api_id: t.int64


@dataclass
class ApiRequestLease(IdlStruct, typename="unitree_api::msg::dds_::RequestLease_"):
    id: t.int64


@dataclass
class ApiRequestPolicy(IdlStruct, typename="unitree_api::msg::dds_::RequestPolicy_"):
    priority: t.int32
    noreply: bool


@dataclass
class ApiRequestHeader(IdlStruct, typename="unitree_api::msg::dds_::RequestHeader_"):
    identity: ApiRequestIdentity
    lease: ApiRequestLease
    policy: ApiRequestPolicy


@dataclass
class ApiRequest(IdlStruct, typename="unitree_api::msg::dds_::Request_"):
    header: ApiRequestHeader
    parameter: str
    binary: t.sequence[t.uint8]


@dataclass
class ApiResponseStatus(IdlStruct, typename="unitree_api::msg::dds_::ResponseStatus_"):
    code: t.int32


@dataclass
class ApiResponseHeader(IdlStruct, typename="unitree_api::msg::dds_::ResponseHeader_"):
    identity: ApiRequestIdentity
    status: ApiResponseStatus


@dataclass
class ApiResponse(IdlStruct, typename="unitree_api::msg::dds_::Response_"):
    header: ApiResponseHeader
    data: str
    binary: t.sequence[t.uint8]


@dataclass
class BoosterRpcReqMsg(IdlStruct, typename="booster_msgs::msg::dds_::RpcReqMsg_"):
    uuid: str
    header: str
    body: str


@dataclass
class BoosterRpcRespMsg(IdlStruct, typename="booster_msgs::msg::dds_::RpcRespMsg_"):
    uuid: str
    header: str
    body: str


@dataclass
class BoosterApiReqMsg(IdlStruct, typename="booster_interface::msg::dds_::BoosterApiReqMsg_"):
    api_id: t.int64
    body: str


#: our ROS type name → the vendor's type
VENDOR_TYPES: dict[str, type] = {
    "unitree_go/msg/MotorCmd": GoMotorCmd,
    "unitree_go/msg/BmsCmd": GoBmsCmd,
    "unitree_go/msg/LowCmd": GoLowCmd,
    "unitree_go/msg/IMUState": GoIMUState,
    "unitree_go/msg/MotorState": GoMotorState,
    "unitree_go/msg/BmsState": GoBmsState,
    "unitree_go/msg/LowState": GoLowState,
    "unitree_go/msg/TimeSpec": GoTimeSpec,
    "unitree_go/msg/PathPoint": GoPathPoint,
    "unitree_go/msg/SportModeState": GoSportModeState,
    "unitree_go/msg/WirelessController": GoWirelessController,
    "unitree_hg/msg/MotorCmd": HgMotorCmd,
    "unitree_hg/msg/LowCmd": HgLowCmd,
    "unitree_hg/msg/IMUState": HgIMUState,
    "unitree_hg/msg/MotorState": HgMotorState,
    "unitree_hg/msg/LowState": HgLowState,
    "unitree_api/msg/RequestIdentity": ApiRequestIdentity,
    "unitree_api/msg/RequestLease": ApiRequestLease,
    "unitree_api/msg/RequestPolicy": ApiRequestPolicy,
    "unitree_api/msg/RequestHeader": ApiRequestHeader,
    "unitree_api/msg/Request": ApiRequest,
    "unitree_api/msg/ResponseStatus": ApiResponseStatus,
    "unitree_api/msg/ResponseHeader": ApiResponseHeader,
    "unitree_api/msg/Response": ApiResponse,
    "booster_msgs/msg/RpcReqMsg": BoosterRpcReqMsg,
    "booster_msgs/msg/RpcRespMsg": BoosterRpcRespMsg,
    "booster_interface/msg/BoosterApiReqMsg": BoosterApiReqMsg,
}
