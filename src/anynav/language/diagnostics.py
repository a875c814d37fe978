"""diagnostic_msgs/DiagnosticArray for the language nodes: one status per node, its level, message and key values."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from anynav.msgs.time import header
from anynav.ros import message_class, new_message

DIAGNOSTIC_ARRAY = "diagnostic_msgs/msg/DiagnosticArray"
DIAGNOSTIC_STATUS = "diagnostic_msgs/msg/DiagnosticStatus"


class Level(Enum):
    """DiagnosticStatus levels by name; the wire value comes from the backend's own message class."""

    OK = "OK"
    WARN = "WARN"
    ERROR = "ERROR"
    STALE = "STALE"


def diagnostic_array(stamp_ns: int, name: str, level: Level, message: str, values: Mapping[str, object]) -> Any:
    """A DiagnosticArray holding one status; values are written with str() (None as '')."""
    status_class = message_class(DIAGNOSTIC_STATUS)
    status = new_message(
        DIAGNOSTIC_STATUS,
        level=getattr(status_class, level.value),
        name=name,
        message=message,
        hardware_id="",
        values=[
            new_message("diagnostic_msgs/msg/KeyValue", key=key, value="" if value is None else str(value))
            for key, value in values.items()
        ],
    )
    return new_message(DIAGNOSTIC_ARRAY, header=header("", stamp_ns), status=[status])


def status_values(status: Any) -> dict[str, str]:
    """A received DiagnosticStatus's key values as a dict."""
    return {item.key: item.value for item in status.values}
