"""Time, Duration and Clock with rclpy's API; the clock follows /clock when use_sim_time is set."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from anynav.ros.messages import new_message

NS_PER_S = 1_000_000_000


@dataclass(frozen=True, order=True)
class Duration:
    nanoseconds: int = 0

    def __init__(self, *, seconds: float = 0.0, nanoseconds: int = 0) -> None:
        object.__setattr__(self, "nanoseconds", int(round(seconds * NS_PER_S)) + int(nanoseconds))

    def to_sec(self) -> float:
        return self.nanoseconds / NS_PER_S


@dataclass(frozen=True, order=True)
class Time:
    nanoseconds: int = 0

    def __init__(self, *, seconds: float = 0.0, nanoseconds: int = 0) -> None:
        object.__setattr__(self, "nanoseconds", int(round(seconds * NS_PER_S)) + int(nanoseconds))

    def seconds_nanoseconds(self) -> tuple[int, int]:
        return divmod(self.nanoseconds, NS_PER_S)

    def to_msg(self) -> Any:
        sec, nanosec = self.seconds_nanoseconds()
        return new_message("builtin_interfaces/msg/Time", sec=sec, nanosec=nanosec)

    @classmethod
    def from_msg(cls, msg: Any) -> Time:
        return cls(nanoseconds=int(msg.sec) * NS_PER_S + int(msg.nanosec))

    def __sub__(self, other: Time | Duration) -> Any:
        if isinstance(other, Time):
            return Duration(nanoseconds=self.nanoseconds - other.nanoseconds)
        return Time(nanoseconds=self.nanoseconds - other.nanoseconds)

    def __add__(self, other: Duration) -> Time:
        return Time(nanoseconds=self.nanoseconds + other.nanoseconds)


class Clock:
    """ROS time: the system clock, or the last /clock message while sim time is on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sim_time_ns: int | None = None
        self.use_sim_time = False

    def now(self) -> Time:
        if self.use_sim_time:
            with self._lock:
                return Time(nanoseconds=self._sim_time_ns or 0)
        return Time(nanoseconds=time.time_ns())

    def set_sim_time(self, nanoseconds: int) -> None:
        with self._lock:
            self._sim_time_ns = nanoseconds

    @property
    def sim_time_received(self) -> bool:
        return self._sim_time_ns is not None
