"""Booster T1 locomotion RPC over DDS: RpcReqMsg on LocoApiTopicReq, RpcRespMsg on LocoApiTopicResp.

A request is three strings: a uuid the response echoes, a JSON header ``{"api_id": N}``
and a JSON body with the call's parameters. Builders return the fields of a
booster_msgs/msg/RpcReqMsg for ``new_message``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from anynav.robots.errors import FieldError, RpcError
from anynav.robots.records import field, finite_command

REQUEST = "booster_msgs/msg/RpcReqMsg"
RESPONSE = "booster_msgs/msg/RpcRespMsg"
REQUEST_TOPIC = "/LocoApiTopicReq"
RESPONSE_TOPIC = "/LocoApiTopicResp"


class LocoApi(IntEnum):
    """Booster loco service api ids (b1_loco_api.hpp)."""

    CHANGE_MODE = 2000
    MOVE = 2001
    GET_MODE = 2017


class RobotMode(IntEnum):
    """Booster RobotMode: Move is only obeyed in WALKING."""

    UNKNOWN = -1
    DAMPING = 0
    PREPARE = 1
    WALKING = 2
    CUSTOM = 3
    SOCCER = 4


def rpc_request(api_id: int, body: dict[str, Any] | None = None, *, request_uuid: str | None = None) -> dict[str, Any]:
    """Fields of a booster_msgs/msg/RpcReqMsg calling ``api_id``; an empty body is sent as ""."""
    request_uuid = str(uuid.uuid4()) if request_uuid is None else request_uuid
    if not request_uuid:
        raise FieldError("uuid", "must not be empty: the response is matched by it")
    return {
        "uuid": request_uuid,
        "header": json.dumps({"api_id": int(api_id)}),
        "body": json.dumps(body) if body else "",
    }


def change_mode(mode: int, *, request_uuid: str | None = None) -> dict[str, Any]:
    """ChangeMode (2000): e.g. ``RobotMode.WALKING`` before Move, ``RobotMode.DAMPING`` as the e-stop."""
    if mode not in set(RobotMode) or mode == RobotMode.UNKNOWN:
        raise FieldError(
            "mode",
            f"{mode!r} is not one of {[f'{m.name}={m.value}' for m in RobotMode if m.value >= 0]}",
        )
    return rpc_request(LocoApi.CHANGE_MODE, {"mode": int(mode)}, request_uuid=request_uuid)


def move(vx: float, vy: float, vyaw: float, *, request_uuid: str | None = None) -> dict[str, Any]:
    """Move (2001): walk at body-frame ``vx``, ``vy`` (m/s) and yaw rate ``vyaw`` (rad/s)."""
    body = {
        "vx": finite_command("vx", vx),
        "vy": finite_command("vy", vy),
        "vyaw": finite_command("vyaw", vyaw),
    }
    return rpc_request(LocoApi.MOVE, body, request_uuid=request_uuid)


@dataclass(frozen=True)
class RpcResult:
    """A decoded RpcRespMsg."""

    uuid: str
    status: int  #: 0 = OK
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.status == 0


def _json_object(text: str, what: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise RpcError(f"{what} is not JSON ({err}): {text[:80]!r}") from None
    if not isinstance(value, dict):
        raise RpcError(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def decode_request(message: Any) -> tuple[str, int, dict[str, Any]]:
    """uuid, api_id and JSON body of an RpcReqMsg; RpcError when the header has no integer api_id."""
    header = _json_object(field(message, "header"), "RpcReqMsg.header")
    api_id = header.get("api_id")
    if not isinstance(api_id, int) or isinstance(api_id, bool):
        raise RpcError(f"RpcReqMsg.header must carry an integer api_id, got {header!r}")
    return (
        field(message, "uuid"),
        api_id,
        _json_object(field(message, "body"), "RpcReqMsg.body"),
    )


def rpc_response(request_uuid: str, status: int, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fields of a booster_msgs/msg/RpcRespMsg answering ``request_uuid``.

    The header layout ``{"status": N}`` comes from community simulators of the T1, not
    from Booster's documentation: check one real response before relying on it.
    """
    return {
        "uuid": request_uuid,
        "header": json.dumps({"status": int(status)}),
        "body": json.dumps(body) if body else "",
    }


def decode_response(message: Any) -> RpcResult:
    """uuid, status and JSON body of an RpcRespMsg."""
    header = _json_object(field(message, "header"), "RpcRespMsg.header")
    status = header.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        raise RpcError(f"RpcRespMsg.header must carry an integer status, got {header!r}")
    return RpcResult(
        uuid=field(message, "uuid"),
        status=status,
        body=_json_object(field(message, "body"), "RpcRespMsg.body"),
    )
