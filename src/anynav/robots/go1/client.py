"""A Go1 high-level UDP link: send HighCmd frames to the robot, read its HighState frames back."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from anynav.robots.errors import ConfigError, RobotInterfaceError
from anynav.robots.go1.protocol import (
    DEFAULT_ROBOT_HOST,
    DEFAULT_ROBOT_PORT,
    HIGH_STATE,
    Go1State,
    HighCmd,
    pack_high_cmd,
    parse_high_state,
)

if TYPE_CHECKING:
    from typing import Self


@dataclass(frozen=True)
class Go1UdpConfig:
    """Where the Go1's high-level controller listens and where we listen for its state.

    robot_host/robot_port: the robot's high-level UDP endpoint (192.168.123.161:8082).
    local_host/local_port: the address we bind; port 0 lets the OS choose (tests),
    legged_sdk's C++ examples use 8090.
    """

    robot_host: str = DEFAULT_ROBOT_HOST
    robot_port: int = DEFAULT_ROBOT_PORT
    local_host: str = "0.0.0.0"
    local_port: int = 8090

    def __post_init__(self) -> None:
        for name in ("robot_host", "local_host"):
            try:
                ipaddress.IPv4Address(getattr(self, name))
            except ValueError:
                raise ConfigError(f"{name}: {getattr(self, name)!r} is not an IPv4 address") from None
        if not 1 <= self.robot_port <= 65535:
            raise ConfigError(f"robot_port: {self.robot_port} outside [1, 65535]")
        if not 0 <= self.local_port <= 65535:
            raise ConfigError(f"local_port: {self.local_port} outside [0, 65535] (0 = any free port)")


@dataclass
class LinkStats:
    sent: int = 0
    received: int = 0
    bad_frames: int = 0
    last_error: str = ""


class Go1UdpClient:
    """Owns one UDP socket. ``send`` never blocks; ``receive`` waits at most its timeout.

    A bad frame (wrong size, head, level flag, CRC, NaN) is counted in ``stats`` and
    skipped, never returned.
    """

    def __init__(self, config: Go1UdpConfig) -> None:
        self.config = config
        self.stats = LinkStats()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind((config.local_host, config.local_port))
        self._target = (config.robot_host, config.robot_port)

    @property
    def local_address(self) -> tuple[str, int]:
        return self._socket.getsockname()

    def send(self, cmd: HighCmd) -> None:
        """Pack (checking every field, CRC last) and send one HighCmd."""
        self._socket.sendto(pack_high_cmd(cmd), self._target)
        self.stats.sent += 1

    def receive(self, timeout_s: float) -> Go1State | None:
        """The next valid HighState within ``timeout_s`` seconds, or None."""
        deadline = time.monotonic() + timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            self._socket.settimeout(remaining)
            try:
                frame, _ = self._socket.recvfrom(HIGH_STATE.itemsize + 1)
            except TimeoutError:
                return None
            try:
                state = parse_high_state(frame)
            except RobotInterfaceError as err:
                self.stats.bad_frames += 1
                self.stats.last_error = str(err)
                continue
            self.stats.received += 1
            return state
        return None

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
