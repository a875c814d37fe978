"""Booster T1 locomotion RPC (booster_msgs RpcReqMsg/RpcRespMsg over DDS)."""

from __future__ import annotations

from anynav.robots.booster.loco import (
    LocoApi,
    RobotMode,
    RpcResult,
    change_mode,
    decode_response,
    move,
    rpc_request,
)

__all__ = [
    "LocoApi",
    "RobotMode",
    "RpcResult",
    "change_mode",
    "decode_response",
    "move",
    "rpc_request",
]
