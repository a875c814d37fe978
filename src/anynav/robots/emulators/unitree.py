"""A Go2/H1 stand-in for tests and demos: what the robot does with Unitree DDS messages, without DDS.

Feed it decoded messages (any backend's objects, or field dicts) and the time; it checks
every field the way the firmware and services would (CRC, head, level flag, motor modes,
RPC identity, lease, policy, JSON parameters), counts each rejection by reason,
integrates accepted commands, and produces SportModeState / LowState / Response fields.
A thin DDS node (in anynav.ros land) publishes them on the robot's topics.
"""

from __future__ import annotations

import json
import math
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from anynav.robots.emulators.kinematics import PlanarPose
from anynav.robots.errors import ConfigError, CrcMismatchError, FieldError
from anynav.robots.records import field, message_fields, sign, verify
from anynav.robots.unitree import api, structs
from anynav.robots.unitree.joints import (
    GO2_MOTOR_MODE,
    H1_STRONG_MOTOR_MODE,
    H1_WEAK_MOTOR_MODE,
)
from anynav.robots.unitree.lowcmd import (
    GO_LOW_CMD,
    HEAD,
    LEVEL_LOW,
    POS_STOP_F,
    VEL_STOP_F,
)

_SPORT_MODE_BALANCE_STAND = 1
_SPORT_MODE_LOCOMOTION = 3
_SPORT_MODE_DAMPING = 7
_GAIT_IDLE = 0
_GAIT_TROT = 1
_MOTOR_INERTIA = 0.05  #: kg·m², one rigid link per motor: enough to see PD targets tracked
_MOTOR_FRICTION = 0.1  #: N·m·s/rad
_SUBSTEP_S = 0.001
_MAX_SUBSTEPS = 2000
_MAX_KP = 500.0
_MAX_KD = 50.0
_MAX_Q = 4 * math.pi
_REMEMBERED_IDS = 1024  #: a request id seen among the last this many is a reuse

_SERVICE_APIS: dict[str, set[int]] = {
    api.SPORT_SERVICE: {
        api.SportApi.DAMP,
        api.SportApi.BALANCE_STAND,
        api.SportApi.STOP_MOVE,
        api.SportApi.MOVE,
    },
    api.LOCO_SERVICE: {api.LocoApi.SET_FSM_ID, api.LocoApi.SET_VELOCITY},
    api.MOTION_SWITCHER_SERVICE: {
        api.MotionSwitcherApi.CHECK_MODE,
        api.MotionSwitcherApi.SELECT_MODE,
        api.MotionSwitcherApi.RELEASE_MODE,
    },
}


@dataclass(frozen=True)
class UnitreeEmulatorConfig:
    """robot: "go2" (sport service, 12 motors) or "h1" (loco service, 20 motor slots).
    motion_service: the name CheckMode reports while the high-level service runs.
    max_speed_mps / max_yaw_rate: larger commanded speeds are rejected as bad parameters.
    move_hold_s: how long a Move keeps the robot walking without a new one; 0 = until
        StopMove (the strict setting: the robot never saves a bridge that stops talking).
    body_height_m: standing height reported in SportModeState.
    """

    robot: Literal["go2", "h1"] = "go2"
    motion_service: str = "normal"
    max_speed_mps: float = 3.0
    max_yaw_rate: float = 4.0
    move_hold_s: float = 0.0
    body_height_m: float = 0.32

    def __post_init__(self) -> None:
        if self.robot not in ("go2", "h1"):
            raise ConfigError(f"robot: {self.robot!r} is not one of ['go2', 'h1']")
        if not self.motion_service:
            raise ConfigError("motion_service: must not be empty")
        if not 0 < self.max_speed_mps <= 5:
            raise ConfigError(f"max_speed_mps: {self.max_speed_mps} outside (0, 5]")
        if not 0 < self.max_yaw_rate <= 10:
            raise ConfigError(f"max_yaw_rate: {self.max_yaw_rate} outside (0, 10]")
        if not 0 <= self.move_hold_s <= 60:
            raise ConfigError(f"move_hold_s: {self.move_hold_s} outside [0, 60]")
        if not 0.1 <= self.body_height_m <= 1.5:
            raise ConfigError(f"body_height_m: {self.body_height_m} outside [0.1, 1.5]")

    @property
    def service(self) -> str:
        """The high-level RPC service this robot serves."""
        return api.SPORT_SERVICE if self.robot == "go2" else api.LOCO_SERVICE

    @property
    def motors(self) -> int:
        return 12 if self.robot == "go2" else structs.GO_MOTOR_COUNT

    @property
    def motor_modes(self) -> frozenset[int]:
        """The motor mode bytes this robot's LowCmd may carry (0 = motor off)."""
        if self.robot == "go2":
            return frozenset({0, GO2_MOTOR_MODE})
        return frozenset({0, H1_WEAK_MOTOR_MODE, H1_STRONG_MOTOR_MODE})


class _Rejected(Exception):
    def __init__(self, reason: str, code: int = api.RPC_ERR_SERVER_API_PARAMETER) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class UnitreeEmulator:
    """The robot's side of the Unitree DDS interface. Times are nanoseconds on any one clock."""

    def __init__(self, config: UnitreeEmulatorConfig, now_ns: int = 0) -> None:
        self.config = config
        self.pose = PlanarPose()
        self.rejected: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()
        self.last_rejection = ""
        self.sport_mode = _SPORT_MODE_BALANCE_STAND
        self.fsm_id = int(api.H1Fsm.START)
        self.active_service = config.motion_service
        self._velocity = (0.0, 0.0, 0.0)
        self._velocity_until_ns: int | None = None
        self._recent_ids: deque[int] = deque(maxlen=_REMEMBERED_IDS)
        self._time_ns = now_ns
        self.q = np.zeros(structs.GO_MOTOR_COUNT)
        self.dq = np.zeros(structs.GO_MOTOR_COUNT)
        self.tau = np.zeros(structs.GO_MOTOR_COUNT)
        self._low_cmd: dict[str, np.ndarray] | None = None

    def _reject(self, reason: str) -> None:
        self.rejected[reason] += 1
        self.last_rejection = reason

    # --- RPC -----------------------------------------------------------------------------

    def handle_request(self, service: str, request: Any, now_ns: int) -> dict[str, Any] | None:
        """Check and apply one unitree_api Request sent to ``/api/<service>/request``.

        Returns the fields of the unitree_api/msg/Response to publish on
        ``/api/<service>/response``, or None when the request asked for no reply or
        the service is not running (as after ReleaseMode).
        """
        self.step(now_ns)
        header = field(request, "header")
        identity = field(header, "identity")
        request_id, api_id = int(field(identity, "id")), int(field(identity, "api_id"))
        reply = not bool(field(field(header, "policy"), "noreply"))
        if service not in (self.config.service, api.MOTION_SWITCHER_SERVICE):
            self._reject(f"{service}: no such service on {self.config.robot}")
            return None
        if service == self.config.service and not self.active_service:
            self._reject(f"{service}: service released by the motion switcher")
            return None
        try:
            self._check_header(service, header, request_id, api_id)
            binary = field(request, "binary")
            if len(binary):
                raise _Rejected(f"binary: expected empty, got {len(binary)} bytes")
            data = self._apply(service, api_id, self._parameter(field(request, "parameter")), now_ns)
            code = api.RPC_OK
            self.accepted[f"{service}/{api_id}"] += 1
        except _Rejected as rejection:
            self._reject(f"{service}/{api_id}: {rejection.reason}")
            code, data = rejection.code, {}
        if not reply:
            return None
        return {
            "header": {
                "identity": {"id": request_id, "api_id": api_id},
                "status": {"code": code},
            },
            "data": json.dumps(data) if data else "",
            "binary": b"",
        }

    def _check_header(self, service: str, header: Any, request_id: int, api_id: int) -> None:
        if request_id <= 0:
            raise _Rejected(f"identity.id must be > 0, got {request_id}")
        if request_id in self._recent_ids:
            raise _Rejected(f"identity.id {request_id} reused: every request needs a new id")
        self._recent_ids.append(request_id)
        if api_id not in _SERVICE_APIS[service]:
            raise _Rejected(f"api_id {api_id} not implemented", api.RPC_ERR_SERVER_API_NOT_IMPL)
        lease = int(field(field(header, "lease"), "id"))
        if lease != 0:
            raise _Rejected(f"lease.id {lease}: leases are not granted")
        policy = field(header, "policy")
        if int(field(policy, "priority")) != 0:
            raise _Rejected(f"policy.priority {field(policy, 'priority')}: expected 0")
        if not isinstance(field(policy, "noreply"), (bool, np.bool_)):
            raise _Rejected(f"policy.noreply {field(policy, 'noreply')!r}: expected a bool")

    @staticmethod
    def _parameter(text: str) -> dict[str, Any]:
        try:
            value = json.loads(text) if text else {}
        except json.JSONDecodeError as err:
            raise _Rejected(f"parameter is not JSON: {err}") from None
        if not isinstance(value, dict):
            raise _Rejected(f"parameter must be a JSON object, got {type(value).__name__}")
        return value

    @staticmethod
    def _keys(parameter: dict[str, Any], expected: set[str]) -> None:
        if set(parameter) != expected:
            raise _Rejected(f"parameter keys {sorted(parameter)}, expected {sorted(expected)}")

    def _number(self, name: str, value: Any, limit: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Rejected(f"{name}: expected a number, got {value!r}")
        if not math.isfinite(value) or abs(value) > limit:
            raise _Rejected(f"{name}: {value} outside [-{limit}, {limit}]")
        return float(value)

    def _apply(self, service: str, api_id: int, parameter: dict[str, Any], now_ns: int) -> dict[str, Any]:
        if service == api.MOTION_SWITCHER_SERVICE:
            return self._motion_switcher(api_id, parameter)
        if service == api.SPORT_SERVICE:
            self._sport(api_id, parameter, now_ns)
        else:
            self._loco(api_id, parameter, now_ns)
        return {}

    def _motion_switcher(self, api_id: int, parameter: dict[str, Any]) -> dict[str, Any]:
        if api_id == api.MotionSwitcherApi.CHECK_MODE:
            self._keys(parameter, set())
            return {"form": "0", "name": self.active_service}
        if api_id == api.MotionSwitcherApi.RELEASE_MODE:
            self._keys(parameter, set())
            self.active_service = ""
            self._set_velocity((0.0, 0.0, 0.0), None)
            return {}
        self._keys(parameter, {"name"})
        if not isinstance(parameter["name"], str) or not parameter["name"]:
            raise _Rejected(f"name: expected a service name, got {parameter['name']!r}")
        self.active_service = parameter["name"]
        self._low_cmd = None
        return {}

    def _hold_until(self, now_ns: int, seconds: float) -> int | None:
        return now_ns + int(seconds * 1e9) if seconds > 0 else None

    def _sport(self, api_id: int, parameter: dict[str, Any], now_ns: int) -> None:
        if api_id == api.SportApi.MOVE:
            self._keys(parameter, {"x", "y", "z"})
            velocity = (
                self._number("x", parameter["x"], self.config.max_speed_mps),
                self._number("y", parameter["y"], self.config.max_speed_mps),
                self._number("z", parameter["z"], self.config.max_yaw_rate),
            )
            if self.sport_mode == _SPORT_MODE_DAMPING:
                raise _Rejected("Move while damping: send BalanceStand first")
            self.sport_mode = _SPORT_MODE_LOCOMOTION
            self._set_velocity(velocity, self._hold_until(now_ns, self.config.move_hold_s))
            return
        self._keys(parameter, set())
        self._set_velocity((0.0, 0.0, 0.0), None)
        self.sport_mode = _SPORT_MODE_DAMPING if api_id == api.SportApi.DAMP else _SPORT_MODE_BALANCE_STAND

    def _loco(self, api_id: int, parameter: dict[str, Any], now_ns: int) -> None:
        if api_id == api.LocoApi.SET_FSM_ID:
            self._keys(parameter, {"data"})
            if parameter["data"] not in set(api.H1Fsm):
                raise _Rejected(f"data: FSM id {parameter['data']!r} unknown")
            self.fsm_id = int(parameter["data"])
            self._set_velocity((0.0, 0.0, 0.0), None)
            return
        self._keys(parameter, {"velocity", "duration"})
        velocity = parameter["velocity"]
        if not isinstance(velocity, list) or len(velocity) != 3:
            raise _Rejected(f"velocity: expected [vx, vy, omega], got {velocity!r}")
        limits = (
            self.config.max_speed_mps,
            self.config.max_speed_mps,
            self.config.max_yaw_rate,
        )
        command = tuple(self._number(f"velocity[{i}]", v, limit) for i, (v, limit) in enumerate(zip(velocity, limits)))
        duration = self._number("duration", parameter["duration"], 864000.0)
        if duration <= 0:
            raise _Rejected(f"duration: {duration} must be > 0")
        if self.fsm_id != api.H1Fsm.START:
            raise _Rejected(f"SetVelocity in FSM {self.fsm_id}: SetFsmId({int(api.H1Fsm.START)}) first")
        self._set_velocity(command, now_ns + int(duration * 1e9))

    def _set_velocity(self, velocity: tuple[float, float, float], until_ns: int | None) -> None:
        self._velocity = velocity
        self._velocity_until_ns = until_ns

    # --- low level -----------------------------------------------------------------------

    def handle_low_cmd(self, message: Any, now_ns: int) -> bool:
        """Check one unitree_go LowCmd like the firmware does; apply it if valid. True when applied."""
        self.step(now_ns)
        try:
            record = structs.pack(GO_LOW_CMD, message)
        except FieldError as err:
            self._reject(f"lowcmd: {err}")
            return False
        cmd = record[0]
        try:
            self._check_low_cmd(cmd, record)
        except (_Rejected, CrcMismatchError) as err:
            self._reject(f"lowcmd: {err}")
            return False
        motors = cmd["motor_cmd"]
        self._low_cmd = {name: motors[name].astype(np.float64) for name in ("mode", "q", "dq", "tau", "kp", "kd")}
        self.accepted["lowcmd"] += 1
        return True

    def _check_low_cmd(self, cmd: np.void, record: np.ndarray) -> None:
        if tuple(cmd["head"]) != HEAD:
            raise _Rejected(f"head {tuple(int(b) for b in cmd['head'])}, expected (254, 239)")
        if cmd["level_flag"] != LEVEL_LOW:
            raise _Rejected(f"level_flag {int(cmd['level_flag']):#04x}, expected 0xff")
        verify("LowCmd", record)
        if self.active_service:
            raise _Rejected(f"LowCmd while the '{self.active_service}' service runs: ReleaseMode first")
        motors = cmd["motor_cmd"]
        for index, mode in enumerate(motors["mode"]):
            if int(mode) not in self.config.motor_modes:
                raise _Rejected(f"motor_cmd[{index}].mode {int(mode):#04x} not in {sorted(self.config.motor_modes)}")
        for name, limit in (("kp", _MAX_KP), ("kd", _MAX_KD)):
            bad = np.flatnonzero((motors[name] < 0) | (motors[name] > limit))
            if bad.size:
                raise _Rejected(f"motor_cmd[{bad[0]}].{name} {motors[name][bad[0]]} outside [0, {limit}]")
        q = motors["q"]
        bad = np.flatnonzero((np.abs(q) > _MAX_Q) & (q != np.float32(POS_STOP_F)))
        if bad.size:
            raise _Rejected(f"motor_cmd[{bad[0]}].q {q[bad[0]]} outside ±{_MAX_Q:.2f} rad (and not PosStopF)")

    # --- time ----------------------------------------------------------------------------

    def step(self, now_ns: int) -> None:
        """Advance body pose and joints to ``now_ns``; earlier times are ignored."""
        if now_ns <= self._time_ns:
            return
        start_ns, self._time_ns = self._time_ns, now_ns
        moving_until = now_ns if self._velocity_until_ns is None else min(now_ns, self._velocity_until_ns)
        if moving_until > start_ns and self._walking_allowed():
            self.pose.advance(*self._velocity, (moving_until - start_ns) * 1e-9)
        if self._velocity_until_ns is not None and now_ns >= self._velocity_until_ns:
            self._set_velocity((0.0, 0.0, 0.0), None)
            if self.sport_mode == _SPORT_MODE_LOCOMOTION:
                self.sport_mode = _SPORT_MODE_BALANCE_STAND
        self._step_joints((now_ns - start_ns) * 1e-9)

    def _walking_allowed(self) -> bool:
        if not self.active_service:
            return False
        if self.config.robot == "go2":
            return self.sport_mode == _SPORT_MODE_LOCOMOTION
        return self.fsm_id == api.H1Fsm.START

    def _step_joints(self, dt: float) -> None:
        """Joint PD as the motor driver runs it, integrated implicitly (stable for any gain and gap)."""
        command = self._low_cmd
        if command is None or dt <= 0:
            self.tau[:] = 0.0
            return
        active = command["mode"] != 0
        kp = np.where(active & (command["q"] != np.float32(POS_STOP_F)), command["kp"], 0.0)
        velocity_loop = active & (command["dq"] != np.float32(VEL_STOP_F))
        kd = np.where(active, command["kd"], 0.0)
        dq_target = np.where(velocity_loop, command["dq"], 0.0)
        tau_ff = np.where(active, command["tau"], 0.0)
        steps = min(_MAX_SUBSTEPS, max(1, math.ceil(dt / _SUBSTEP_S)))
        h = dt / steps
        for _ in range(steps):
            drive = tau_ff + kp * (command["q"] - self.q) + kd * dq_target
            self.dq = (self.dq + h * drive / _MOTOR_INERTIA) / (
                1.0 + h * (kp * h + kd + _MOTOR_FRICTION) / _MOTOR_INERTIA
            )
            self.q = self.q + h * self.dq
        self.tau = tau_ff + kp * (command["q"] - self.q) + kd * (dq_target - self.dq)

    # --- state out -----------------------------------------------------------------------

    def _velocity_now(self) -> tuple[float, float, float]:
        return self._velocity if self._walking_allowed() else (0.0, 0.0, 0.0)

    def _imu_fields(self) -> dict[str, Any]:
        return {
            "quaternion": np.array(self.pose.quaternion_wxyz(), dtype=np.float32),
            "gyroscope": np.array([0.0, 0.0, self._velocity_now()[2]], dtype=np.float32),
            "accelerometer": np.array([0.0, 0.0, 9.81], dtype=np.float32),
            "rpy": np.array([0.0, 0.0, self.pose.yaw], dtype=np.float32),
            "temperature": 40,
        }

    def sport_state(self, now_ns: int) -> dict[str, Any]:
        """Fields of the unitree_go/msg/SportModeState at ``now_ns``; velocity in the odometry (world) frame."""
        self.step(now_ns)
        vx, vy, wz = self._velocity_now()
        cos, sin = math.cos(self.pose.yaw), math.sin(self.pose.yaw)
        walking = any((vx, vy, wz))
        return {
            "stamp": {
                "sec": now_ns // 1_000_000_000,
                "nanosec": now_ns % 1_000_000_000,
            },
            "error_code": 0,
            "imu_state": self._imu_fields(),
            "mode": self.sport_mode,
            "progress": 0.0,
            "gait_type": _GAIT_TROT if walking else _GAIT_IDLE,
            "foot_raise_height": 0.08,
            "position": np.array([self.pose.x, self.pose.y, 0.0], dtype=np.float32),
            "body_height": self.config.body_height_m,
            "velocity": np.array([cos * vx - sin * vy, sin * vx + cos * vy, 0.0], dtype=np.float32),
            "yaw_speed": wz,
            "range_obstacle": np.zeros(4, dtype=np.float32),
            "foot_force": np.full(4, 60, dtype=np.int16),
            "foot_position_body": np.zeros(12, dtype=np.float32),
            "foot_speed_body": np.zeros(12, dtype=np.float32),
            "path_point": [
                {
                    "t_from_start": 0.0,
                    "x": 0.0,
                    "y": 0.0,
                    "yaw": 0.0,
                    "vx": 0.0,
                    "vy": 0.0,
                    "vyaw": 0.0,
                }
                for _ in range(10)
            ],
        }

    def low_state(self, now_ns: int) -> dict[str, Any]:
        """Fields of a signed unitree_go/msg/LowState at ``now_ns`` (tick in ms)."""
        self.step(now_ns)
        record = np.zeros(1, dtype=structs.GO_LOW_STATE)
        state = record[0]
        state["head"] = HEAD
        state["level_flag"] = LEVEL_LOW
        state["tick"] = (now_ns // 1_000_000) % 2**32
        for name, value in self._imu_fields().items():
            state["imu_state"][name] = value
        motors = state["motor_state"]
        motors["mode"] = 0x01
        motors["q"] = self.q
        motors["dq"] = self.dq
        motors["tau_est"] = self.tau
        motors["temperature"] = 35
        bms = state["bms_state"]
        bms["soc"] = 90
        bms["current"] = -2000
        bms["cell_vol"] = 3700
        state["power_v"] = 28.0
        state["power_a"] = 2.0
        state["foot_force"] = 60
        sign(record)
        return message_fields(record)
