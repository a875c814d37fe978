"""Unitree Go2/H1 (unitree_go) and G1/H1-2 (unitree_hg) over DDS: structs, RPC requests, state decoding."""

from __future__ import annotations

from anynav.robots.unitree import api, joints
from anynav.robots.unitree.lowcmd import (
    go_damping_cmd,
    go_low_cmd,
    hg_low_cmd,
    sign_low_cmd,
)
from anynav.robots.unitree.state import (
    BatteryReading,
    ImuReading,
    LowStateReading,
    SportReading,
    decode_go_low_state,
    decode_hg_low_state,
    decode_sport_state,
)

__all__ = [
    "BatteryReading",
    "ImuReading",
    "LowStateReading",
    "SportReading",
    "api",
    "decode_go_low_state",
    "decode_hg_low_state",
    "decode_sport_state",
    "go_damping_cmd",
    "go_low_cmd",
    "hg_low_cmd",
    "joints",
    "sign_low_cmd",
]
