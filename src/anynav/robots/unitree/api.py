"""Unitree RPC requests over DDS (unitree_api Request/Response): Go2 sport, H1 loco, motion switcher.

A request goes to ``/api/<service>/request`` with a JSON ``parameter``; a service answers
on ``/api/<service>/response`` unless the request says ``noreply``. Builders return the
fields of a unitree_api/msg/Request for ``new_message``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from anynav.robots.errors import FieldError, RpcError
from anynav.robots.records import field, finite_command

REQUEST = "unitree_api/msg/Request"
RESPONSE = "unitree_api/msg/Response"
SPORT_SERVICE = "sport"
LOCO_SERVICE = "loco"
MOTION_SWITCHER_SERVICE = "motion_switcher"


class SportApi(IntEnum):
    """Go2/B2 sport service api ids (unitree_sdk2 go2/sport/sport_api)."""

    DAMP = 1001
    BALANCE_STAND = 1002
    STOP_MOVE = 1003
    STAND_UP = 1004
    STAND_DOWN = 1005
    RECOVERY_STAND = 1006
    MOVE = 1008


class LocoApi(IntEnum):
    """H1 loco service api ids (unitree_sdk2 h1/loco/h1_loco_api)."""

    GET_FSM_ID = 8001
    SET_FSM_ID = 8101
    SET_VELOCITY = 8105


class H1Fsm(IntEnum):
    """H1 loco FSM states for SetFsmId."""

    ZERO_TORQUE = 0
    DAMP = 1
    STAND_UP = 2
    START = 204


class MotionSwitcherApi(IntEnum):
    """Motion switcher api ids: release the sport/loco service before sending LowCmd."""

    CHECK_MODE = 1001
    SELECT_MODE = 1002
    RELEASE_MODE = 1003


#: unitree_sdk2 RPC status codes a service answers with.
RPC_OK = 0
RPC_ERR_SERVER_API_NOT_IMPL = 3203
RPC_ERR_SERVER_API_PARAMETER = 3204


def request_topic(service: str) -> str:
    """ROS topic name of a service's requests (DDS: ``rt/api/<service>/request``)."""
    return f"/api/{service}/request"


def response_topic(service: str) -> str:
    return f"/api/{service}/response"


def request(
    api_id: int,
    parameter: dict[str, Any] | None = None,
    *,
    noreply: bool = False,
    request_id: int | None = None,
    priority: int = 0,
    lease_id: int = 0,
) -> dict[str, Any]:
    """Fields of a unitree_api/msg/Request calling ``api_id`` with JSON ``parameter``.

    ``request_id`` defaults to ``time.monotonic_ns()``, as unitree_sdk2 does; a
    response carries it back so callers can match the two.
    """
    identity = time.monotonic_ns() if request_id is None else request_id
    if not 0 < identity < 2**63:
        raise FieldError("header.identity.id", f"must be a positive int64, got {identity}")
    return {
        "header": {
            "identity": {"id": identity, "api_id": int(api_id)},
            "lease": {"id": lease_id},
            "policy": {"priority": priority, "noreply": noreply},
        },
        "parameter": json.dumps(parameter if parameter is not None else {}),
        "binary": b"",
    }


def sport_move(vx: float, vy: float, vyaw: float, *, request_id: int | None = None) -> dict[str, Any]:
    """Go2 Move (1008): walk at body-frame ``vx``, ``vy`` (m/s) and yaw rate ``vyaw`` (rad/s); no reply."""
    parameter = {
        "x": finite_command("vx", vx),
        "y": finite_command("vy", vy),
        "z": finite_command("vyaw", vyaw),
    }
    return request(SportApi.MOVE, parameter, noreply=True, request_id=request_id)


def sport_stop_move(*, request_id: int | None = None) -> dict[str, Any]:
    """Go2 StopMove (1003): stop walking and stand."""
    return request(SportApi.STOP_MOVE, request_id=request_id)


def sport_damp(*, request_id: int | None = None) -> dict[str, Any]:
    """Go2 Damp (1001): all joints damped, the robot sinks down. The e-stop of the sport service."""
    return request(SportApi.DAMP, request_id=request_id)


def sport_balance_stand(*, request_id: int | None = None) -> dict[str, Any]:
    """Go2 BalanceStand (1002): stand balancing, ready to walk."""
    return request(SportApi.BALANCE_STAND, request_id=request_id)


def loco_set_velocity(
    vx: float,
    vy: float,
    omega: float,
    duration_s: float,
    *,
    request_id: int | None = None,
) -> dict[str, Any]:
    """H1 SetVelocity (8105): walk for ``duration_s`` seconds, after which the robot stops by itself.

    Keep ``duration_s`` near twice the command period: the robot's own timeout then
    backs up ours.
    """
    duration = finite_command("duration_s", duration_s)
    if duration <= 0:
        raise FieldError("duration_s", f"must be > 0, got {duration_s}")
    parameter = {
        "velocity": [finite_command("vx", vx), finite_command("vy", vy), finite_command("omega", omega)],
        "duration": duration,
    }
    return request(LocoApi.SET_VELOCITY, parameter, noreply=True, request_id=request_id)


def loco_set_fsm_id(fsm_id: int, *, request_id: int | None = None) -> dict[str, Any]:
    """H1 SetFsmId (8101), e.g. ``H1Fsm.DAMP`` as the e-stop."""
    if fsm_id not in set(H1Fsm):
        raise FieldError(
            "fsm_id",
            f"{fsm_id!r} is not one of {[f'{s.name}={s.value}' for s in H1Fsm]}",
        )
    return request(LocoApi.SET_FSM_ID, {"data": int(fsm_id)}, request_id=request_id)


def motion_switcher_check_mode(*, request_id: int | None = None) -> dict[str, Any]:
    """CheckMode (1001): the reply's data names the active motion service ("" when released)."""
    return request(MotionSwitcherApi.CHECK_MODE, request_id=request_id)


def motion_switcher_release_mode(*, request_id: int | None = None) -> dict[str, Any]:
    """ReleaseMode (1003): stop the active motion service so that LowCmd takes effect."""
    return request(MotionSwitcherApi.RELEASE_MODE, request_id=request_id)


@dataclass(frozen=True)
class RpcResponse:
    """A decoded unitree_api Response."""

    request_id: int
    api_id: int
    code: int  #: 0 = OK
    data: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.code == RPC_OK


def decode_response(message: Any) -> RpcResponse:
    """Identity, status code and JSON data of a unitree_api/msg/Response (object or fields)."""
    header = field(message, "header")
    identity = field(header, "identity")
    text = field(message, "data")
    try:
        data = json.loads(text) if text else {}
    except json.JSONDecodeError as err:
        raise RpcError(f"Response.data is not JSON ({err}): {text[:80]!r}") from None
    if not isinstance(data, dict):
        raise RpcError(f"Response.data must be a JSON object, got {type(data).__name__}")
    return RpcResponse(
        request_id=int(field(identity, "id")),
        api_id=int(field(identity, "api_id")),
        code=int(field(field(header, "status"), "code")),
        data=data,
    )
