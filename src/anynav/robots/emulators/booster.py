"""A Booster T1 stand-in for tests and demos: what the robot's loco service does with RpcReqMsg, without DDS.

Feed it decoded RpcReqMsg messages (objects or field dicts) and the time; it checks the
uuid, the JSON header and body of every request, applies ChangeMode/Move, integrates the
walking velocity into odometry and answers with RpcRespMsg fields echoing the uuid.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from anynav.robots.booster.loco import LocoApi, RobotMode, decode_request, rpc_response
from anynav.robots.emulators.kinematics import PlanarPose
from anynav.robots.errors import ConfigError, RpcError
from anynav.robots.records import field

#: This emulator's response statuses. Booster does not publish its codes, so callers
#: should treat any non-zero status as a failure rather than match these values.
STATUS_OK = 0
STATUS_BAD_PARAMETER = 1
STATUS_UNKNOWN_API = 2


@dataclass(frozen=True)
class T1EmulatorConfig:
    """max_speed_mps / max_yaw_rate: larger Move values are rejected.
    move_hold_s: how long one Move keeps the robot walking; 0 = until the next Move (strict).
    initial_mode: the RobotMode it boots in.
    """

    max_speed_mps: float = 1.0
    max_yaw_rate: float = 1.5
    move_hold_s: float = 0.0
    initial_mode: int = RobotMode.PREPARE

    def __post_init__(self) -> None:
        if not 0 < self.max_speed_mps <= 3:
            raise ConfigError(f"max_speed_mps: {self.max_speed_mps} outside (0, 3]")
        if not 0 < self.max_yaw_rate <= 5:
            raise ConfigError(f"max_yaw_rate: {self.max_yaw_rate} outside (0, 5]")
        if not 0 <= self.move_hold_s <= 60:
            raise ConfigError(f"move_hold_s: {self.move_hold_s} outside [0, 60]")
        if self.initial_mode not in set(RobotMode) or self.initial_mode == RobotMode.UNKNOWN:
            raise ConfigError(f"initial_mode: {self.initial_mode!r} is not a RobotMode >= 0")


class _Rejected(Exception):
    def __init__(self, reason: str, status: int = STATUS_BAD_PARAMETER) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class T1Emulator:
    """The robot's side of Booster's loco RPC. Times are nanoseconds on any one clock."""

    def __init__(self, config: T1EmulatorConfig, now_ns: int = 0) -> None:
        self.config = config
        self.mode = int(config.initial_mode)
        self.pose = PlanarPose()
        self.accepted: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.last_rejection = ""
        self._velocity = (0.0, 0.0, 0.0)
        self._velocity_until_ns: int | None = None
        self._time_ns = now_ns

    def _reject(self, reason: str) -> None:
        self.rejected[reason] += 1
        self.last_rejection = reason

    def handle_request(self, request: Any, now_ns: int) -> dict[str, Any]:
        """Check and apply one RpcReqMsg; returns the RpcRespMsg fields answering it."""
        self.step(now_ns)
        request_uuid = field(request, "uuid")
        try:
            if not request_uuid:
                raise _Rejected("uuid is empty")
            try:
                _, api_id, body = decode_request(request)
            except RpcError as err:
                raise _Rejected(str(err)) from None
            body_out = self._apply(api_id, body, now_ns)
        except _Rejected as rejection:
            self._reject(rejection.reason)
            return rpc_response(request_uuid, rejection.status)
        self.accepted[LocoApi(api_id).name] += 1
        return rpc_response(request_uuid, STATUS_OK, body_out)

    def _number(self, body: dict[str, Any], name: str, limit: float) -> float:
        value = body[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or abs(value) > limit
        ):
            raise _Rejected(f"{name}: {value!r} is not a number in [-{limit}, {limit}]")
        return float(value)

    def _apply(self, api_id: int, body: dict[str, Any], now_ns: int) -> dict[str, Any] | None:
        if api_id == LocoApi.CHANGE_MODE:
            if set(body) != {"mode"} or body["mode"] not in set(RobotMode) or body["mode"] == RobotMode.UNKNOWN:
                raise _Rejected(f"ChangeMode body {body!r}: expected {{'mode': 0..4}}")
            self.mode = int(body["mode"])
            self._set_velocity((0.0, 0.0, 0.0), None)
            return None
        if api_id == LocoApi.MOVE:
            if set(body) != {"vx", "vy", "vyaw"}:
                raise _Rejected(f"Move body keys {sorted(body)}: expected ['vx', 'vy', 'vyaw']")
            velocity = (
                self._number(body, "vx", self.config.max_speed_mps),
                self._number(body, "vy", self.config.max_speed_mps),
                self._number(body, "vyaw", self.config.max_yaw_rate),
            )
            if self.mode != RobotMode.WALKING:
                raise _Rejected(f"Move in mode {RobotMode(self.mode).name}: ChangeMode(WALKING) first")
            hold = self.config.move_hold_s
            self._set_velocity(velocity, now_ns + int(hold * 1e9) if hold > 0 else None)
            return None
        if api_id == LocoApi.GET_MODE:
            return {"mode": self.mode}
        raise _Rejected(f"api_id {api_id} not implemented", STATUS_UNKNOWN_API)

    def _set_velocity(self, velocity: tuple[float, float, float], until_ns: int | None) -> None:
        self._velocity = velocity
        self._velocity_until_ns = until_ns

    def step(self, now_ns: int) -> None:
        """Advance the odometry to ``now_ns``; earlier times are ignored."""
        if now_ns <= self._time_ns:
            return
        start_ns, self._time_ns = self._time_ns, now_ns
        until = now_ns if self._velocity_until_ns is None else min(now_ns, self._velocity_until_ns)
        if until > start_ns and self.mode == RobotMode.WALKING:
            self.pose.advance(*self._velocity, (until - start_ns) * 1e-9)
        if self._velocity_until_ns is not None and now_ns >= self._velocity_until_ns:
            self._set_velocity((0.0, 0.0, 0.0), None)

    def velocity(self, now_ns: int) -> tuple[float, float, float]:
        """The body-frame velocity (vx, vy, vyaw) it is walking at, at ``now_ns``."""
        self.step(now_ns)
        return self._velocity if self.mode == RobotMode.WALKING else (0.0, 0.0, 0.0)

    def odometer(self, now_ns: int) -> dict[str, float]:
        """The odometer reading (x, y in m, theta in rad) at ``now_ns``, as on rt/odometer_state."""
        self.step(now_ns)
        return {"x": self.pose.x, "y": self.pose.y, "theta": self.pose.yaw}
