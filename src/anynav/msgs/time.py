"""builtin_interfaces/Time stamps ↔ integer nanoseconds and float seconds."""

from __future__ import annotations

import math
from typing import Any

from anynav.msgs.errors import MalformedMessageError
from anynav.ros.messages import new_message

NS_PER_S = 1_000_000_000


def stamp_to_ns(stamp: Any) -> int:
    sec, nanosec = int(stamp.sec), int(stamp.nanosec)
    if not 0 <= nanosec < NS_PER_S:
        raise MalformedMessageError("builtin_interfaces/msg/Time", "nanosec", f"{nanosec} outside [0, 1e9)")
    return sec * NS_PER_S + nanosec


def stamp_to_sec(stamp: Any) -> float:
    return stamp_to_ns(stamp) / NS_PER_S


def ns_to_stamp(ns: int) -> Any:
    sec, nanosec = divmod(int(ns), NS_PER_S)
    return new_message("builtin_interfaces/msg/Time", sec=sec, nanosec=nanosec)


def sec_to_stamp(seconds: float) -> Any:
    if not math.isfinite(seconds):
        raise ValueError(f"stamp seconds must be finite, got {seconds}")
    return ns_to_stamp(round(seconds * NS_PER_S))


def header(frame_id: str, stamp_ns: int) -> Any:
    return new_message("std_msgs/msg/Header", stamp=ns_to_stamp(stamp_ns), frame_id=frame_id)
