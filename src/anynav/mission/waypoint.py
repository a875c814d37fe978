"""GPS waypoints and missions: WGS84 positions with optional heading, name and arrival radius."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from anynav.mission.errors import InvalidWaypointError


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position in degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        _check_lat_lon(self.latitude, self.longitude)


@dataclass(frozen=True)
class Waypoint:
    """One mission waypoint.

    latitude, longitude: WGS84 degrees.
    yaw: heading to hold on arrival, radians, ENU (0 = east, counter-clockwise); None = any.
    name: label shown to the operator; None = unnamed.
    radius_m: arrival radius in metres; None = the mission's default radius.
    """

    latitude: float
    longitude: float
    yaw: float | None = None
    name: str | None = None
    radius_m: float | None = None

    def __post_init__(self) -> None:
        _check_lat_lon(self.latitude, self.longitude)
        if self.yaw is not None and not (math.isfinite(self.yaw) and abs(self.yaw) <= 2 * math.pi):
            raise InvalidWaypointError("yaw", self.yaw, "finite radians in [-2*pi, 2*pi], ENU")
        if self.radius_m is not None and not (math.isfinite(self.radius_m) and 0.0 < self.radius_m <= 1000.0):
            raise InvalidWaypointError("radius_m", self.radius_m, "metres in (0, 1000]")
        if self.name is not None and not isinstance(self.name, str):
            raise InvalidWaypointError("name", self.name, "a string")


@dataclass(frozen=True)
class Mission:
    """An ordered list of waypoints plus an optional fixed datum (else the first waypoint)."""

    waypoints: tuple[Waypoint, ...] = field(default_factory=tuple)
    datum: GeoPoint | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "waypoints", tuple(self.waypoints))

    def __len__(self) -> int:
        return len(self.waypoints)


def _check_lat_lon(latitude: float, longitude: float) -> None:
    if not (isinstance(latitude, (int, float)) and math.isfinite(latitude) and -90.0 <= latitude <= 90.0):
        raise InvalidWaypointError("latitude", latitude, "finite degrees in [-90, 90]")
    if not (isinstance(longitude, (int, float)) and math.isfinite(longitude) and -180.0 <= longitude <= 180.0):
        raise InvalidWaypointError("longitude", longitude, "finite degrees in [-180, 180]")
