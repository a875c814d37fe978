"""Robot interfaces without ROS: Unitree DDS messages and CRC, Go1 UDP, Booster RPC, and robot emulators.

Each robot family has its folder (``unitree``, ``go1``, ``booster``); ``emulators`` holds
test doubles that speak the real protocols. Nothing here imports a ROS backend.
"""

from __future__ import annotations

from anynav.robots.crc import struct_crc, unitree_crc32
from anynav.robots.errors import (
    ConfigError,
    CrcMismatchError,
    FieldError,
    FrameError,
    NonFiniteValueError,
    RobotInterfaceError,
    RpcError,
)

__all__ = [
    "ConfigError",
    "CrcMismatchError",
    "FieldError",
    "FrameError",
    "NonFiniteValueError",
    "RobotInterfaceError",
    "RpcError",
    "struct_crc",
    "unitree_crc32",
]
