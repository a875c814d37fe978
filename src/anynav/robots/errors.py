"""Exceptions raised by the robot interface cores (Unitree DDS, Go1 UDP, Booster RPC)."""

from __future__ import annotations


class RobotInterfaceError(Exception):
    """Base class of every robot interface error."""


class FieldError(RobotInterfaceError, ValueError):
    """A command or state field has a bad value: wrong shape, out of range, missing.

    ``field`` names the offending field (with an index where it has one), so a node can
    log exactly what was wrong.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NonFiniteValueError(FieldError):
    """A NaN or infinity where a finite number is needed. Never forwarded to a motor."""


class CrcMismatchError(RobotInterfaceError):
    """A frame's CRC word does not match the CRC of its packed C struct."""

    def __init__(self, what: str, expected: int, actual: int) -> None:
        super().__init__(f"{what}: crc 0x{actual:08X} does not match the packed struct's 0x{expected:08X}")
        self.expected = expected
        self.actual = actual


class FrameError(RobotInterfaceError):
    """A raw frame is malformed. ``kind`` says how: "length", "head" or "level_flag"."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class RpcError(RobotInterfaceError):
    """An RPC request or response cannot be understood: bad JSON, unknown api_id, bad header."""


class ConfigError(RobotInterfaceError, ValueError):
    """A robot interface or emulator configuration value is invalid."""
