"""Unitree Go1 high-level control over UDP (unitree_legged_sdk 3.8.x frames), pure Python."""

from __future__ import annotations

from anynav.robots.go1.client import Go1UdpClient, Go1UdpConfig
from anynav.robots.go1.protocol import (
    GaitType,
    Go1State,
    HighCmd,
    Mode,
    damping_cmd,
    pack_high_cmd,
    parse_high_state,
    stand_cmd,
    velocity_cmd,
)

__all__ = [
    "GaitType",
    "Go1State",
    "Go1UdpClient",
    "Go1UdpConfig",
    "HighCmd",
    "Mode",
    "damping_cmd",
    "pack_high_cmd",
    "parse_high_state",
    "stand_cmd",
    "velocity_cmd",
]
