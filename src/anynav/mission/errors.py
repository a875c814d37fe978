"""Exceptions raised by GPS missions: files, datum, fixes and the mission state machine."""

from __future__ import annotations


class MissionError(Exception):
    """Base class of every mission error."""


class MissionConfigError(MissionError, ValueError):
    """A mission setting is out of its allowed range (the message names the field and range)."""


class InvalidWaypointError(MissionError, ValueError):
    """A waypoint value is out of range: latitude, longitude, yaw or arrival radius.

    ``field`` names the offending waypoint field so a file loader can say where it came from.
    """

    def __init__(self, field: str, value: object, allowed: str) -> None:
        super().__init__(f"{field}={value!r} is invalid (allowed: {allowed})")
        self.field = field
        self.value = value
        self.allowed = allowed


class MissionFileError(MissionError):
    """A waypoint file cannot be read or written.

    ``where`` locates the problem inside the file ("line 12", "features[3].geometry",
    "rte 1 rtept 4 (line 17)"), empty when the problem is the file as a whole.
    """

    def __init__(self, path: str, where: str, reason: str) -> None:
        location = f"{path}: {where}" if where else str(path)
        super().__init__(f"{location}: {reason}")
        self.path = str(path)
        self.where = where
        self.reason = reason


class UnknownFormatError(MissionFileError):
    """The waypoint file format cannot be told from the extension and was not given."""


class DatumError(MissionError):
    """A waypoint cannot be used with the mission's local datum."""


class WaypointTooFarError(DatumError):
    """A waypoint lies further from the datum than ``max_distance_m`` (a typo or a wrong file)."""


class UtmZoneError(DatumError):
    """A waypoint lies in another UTM zone than the datum; tools working in UTM would jump."""


class MissionStateError(MissionError):
    """A mission command is not allowed in the current state (e.g. resume while cancelled)."""


class NoAdequateFixError(MissionError):
    """An action needs an adequate GPS fix and the latest fix is not (the reason says why)."""
