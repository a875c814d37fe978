"""/diagnostics messages: one DiagnosticStatus per health check of a node that can go stale."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from anynav.msgs.time import header
from anynav.ros.messages import message_class, new_message

DIAGNOSTIC_ARRAY = "diagnostic_msgs/msg/DiagnosticArray"
DIAGNOSTIC_STATUS = "diagnostic_msgs/msg/DiagnosticStatus"


class Level(enum.IntEnum):
    """diagnostic_msgs/DiagnosticStatus levels."""

    OK = 0
    WARN = 1
    ERROR = 2
    STALE = 3


@dataclass(frozen=True)
class Check:
    """One health line: `name` as '<node>: <what>', a level, a sentence an operator can act on, key values."""

    name: str
    level: Level
    message: str
    values: Mapping[str, object] = field(default_factory=dict)


def age_s(now_ns: int, stamp_ns: int | None) -> float:
    """Seconds from ``stamp_ns`` to ``now_ns``; inf when nothing was received."""
    return math.inf if stamp_ns is None else (now_ns - stamp_ns) * 1e-9


def freshness(what: str, now_ns: int, stamp_ns: int | None, ttl_s: float) -> str:
    """Why an input stamped ``stamp_ns`` cannot be used at ``now_ns`` ('' when it is fresh)."""
    if stamp_ns is None:
        return f"no {what} received yet"
    age = age_s(now_ns, stamp_ns)
    if age > ttl_s:
        return f"{what} is {age:.2f} s old (ttl {ttl_s:g} s)"
    if -age > ttl_s:
        return f"{what} stamp is {-age:.2f} s in the future: clocks disagree"
    return ""


def diagnostic_array(checks: Iterable[Check], stamp_ns: int, hardware_id: str = "") -> Any:
    """A DiagnosticArray holding one status per check (levels as the active backend encodes them)."""
    status_class = message_class(DIAGNOSTIC_STATUS)
    statuses = [
        new_message(
            DIAGNOSTIC_STATUS,
            level=getattr(status_class, check.level.name),
            name=check.name,
            message=check.message,
            hardware_id=hardware_id,
            values=[
                new_message("diagnostic_msgs/msg/KeyValue", key=str(key), value=_text(value))
                for key, value in check.values.items()
            ],
        )
        for check in checks
    ]
    return new_message(DIAGNOSTIC_ARRAY, header=header("", stamp_ns), status=statuses)


def level_of(status: Any) -> Level:
    """The Level of a received DiagnosticStatus (rclpy gives bytes, the dds backend an int)."""
    raw = status.level
    return Level(raw[0] if isinstance(raw, (bytes, bytearray)) else int(raw))


def status_values(status: Any) -> dict[str, str]:
    """A received DiagnosticStatus's key values as a dict."""
    return {item.key: item.value for item in status.values}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return str(value)
