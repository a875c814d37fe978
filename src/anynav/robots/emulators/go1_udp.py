"""A Go1 stand-in for tests and demos: a UDP server that speaks legged_sdk's high-level protocol.

It checks every HighCmd (length, head, level flag, CRC, each field's range), integrates
the commanded body velocity into a planar pose while in velocity-walk mode, and answers
each valid frame with a signed HighState. Bad frames get no answer, as on the robot, and
are counted by reason. It stops by itself after ``max_run_s``.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from anynav.robots.emulators.kinematics import PlanarPose
from anynav.robots.errors import ConfigError, CrcMismatchError, FieldError, FrameError
from anynav.robots.go1.protocol import (
    HIGH_CMD,
    HighCmd,
    Mode,
    empty_high_state,
    parse_high_cmd,
)
from anynav.robots.records import sign

#: longest gap over which one command keeps driving the pose; longer gaps mean a stale link
MAX_HOLD_S = 0.2

if TYPE_CHECKING:
    from typing import Self


@dataclass(frozen=True)
class Go1EmulatorConfig:
    """host/port: where the emulator listens (port 0 = any free port; read ``address``).
    max_run_s: the server thread ends by itself after this long.
    body_height_m: the standing height it reports.
    """

    host: str = "127.0.0.1"
    port: int = 0
    max_run_s: float = 30.0
    body_height_m: float = 0.28

    def __post_init__(self) -> None:
        try:
            ipaddress.IPv4Address(self.host)
        except ValueError:
            raise ConfigError(f"host: {self.host!r} is not an IPv4 address") from None
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port: {self.port} outside [0, 65535]")
        if not 0 < self.max_run_s <= 3600:
            raise ConfigError(f"max_run_s: {self.max_run_s} outside (0, 3600]")
        if not 0.1 <= self.body_height_m <= 0.5:
            raise ConfigError(f"body_height_m: {self.body_height_m} outside [0.1, 0.5]")


class Go1Emulator:
    """The protocol logic, socket-free: feed it frames, get reply frames."""

    def __init__(self, config: Go1EmulatorConfig) -> None:
        self.config = config
        self.pose = PlanarPose()
        self.good_frames = 0
        self.bad_frames: Counter[str] = Counter()
        self.last_cmd: HighCmd | None = None
        self._last_time: float | None = None

    def handle(self, frame: bytes, now_s: float) -> bytes | None:
        """The HighState answering ``frame`` at time ``now_s`` (s), or None for a bad frame."""
        try:
            cmd = parse_high_cmd(frame)
        except FrameError as err:
            self.bad_frames[err.kind] += 1
            return None
        except CrcMismatchError:
            self.bad_frames["crc"] += 1
            return None
        except FieldError as err:
            self.bad_frames[f"field {err.field}"] += 1
            return None
        self._advance(now_s)
        self.last_cmd = cmd
        self.good_frames += 1
        return self.high_state()

    def _advance(self, now_s: float) -> None:
        previous, self._last_time = self._last_time, now_s
        cmd = self.last_cmd
        if previous is None or cmd is None or cmd.mode != Mode.VELOCITY_WALK:
            return
        self.pose.advance(
            cmd.velocity[0],
            cmd.velocity[1],
            cmd.yaw_speed,
            min(now_s - previous, MAX_HOLD_S),
        )

    def high_state(self) -> bytes:
        """A signed HighState frame of the current pose and command."""
        cmd = self.last_cmd or HighCmd()
        walking = cmd.mode == Mode.VELOCITY_WALK
        record = empty_high_state()
        state = record[0]
        state["mode"] = cmd.mode
        state["gait_type"] = cmd.gait_type
        state["position"] = (self.pose.x, self.pose.y, 0.0)
        state["body_height"] = self.config.body_height_m + cmd.body_height
        state["velocity"] = (*cmd.velocity, 0.0) if walking else (0.0, 0.0, 0.0)
        state["yaw_speed"] = cmd.yaw_speed if walking else 0.0
        state["imu"]["quaternion"] = self.pose.quaternion_wxyz()
        state["imu"]["rpy"] = (0.0, 0.0, self.pose.yaw)
        state["imu"]["gyroscope"] = (0.0, 0.0, state["yaw_speed"])
        state["imu"]["accelerometer"] = (0.0, 0.0, 9.81)
        state["bms"]["soc"] = 100
        state["foot_force"] = np.full(4, 60, dtype=np.int16)
        sign(record)
        return record.tobytes()


class Go1UdpEmulator:
    """Go1Emulator behind a real UDP socket, served from a thread that ends by itself.

    Use as a context manager; ``address`` is where clients send their HighCmd frames.
    """

    def __init__(self, config: Go1EmulatorConfig) -> None:
        self.config = config
        self.robot = Go1Emulator(config)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind((config.host, config.port))
        self._socket.settimeout(0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="go1-udp-emulator", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        return self._socket.getsockname()

    def start(self) -> Go1UdpEmulator:
        self._thread.start()
        return self

    def _serve(self) -> None:
        deadline = time.monotonic() + self.config.max_run_s
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                frame, sender = self._socket.recvfrom(HIGH_CMD.itemsize + 1)
            except TimeoutError:
                continue
            reply = self.robot.handle(frame, time.monotonic())
            if reply is not None:
                self._socket.sendto(reply, sender)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=1.0)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
