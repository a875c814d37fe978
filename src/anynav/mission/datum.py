"""A fixed local ENU datum per mission: WGS84 lat/lon <-> east/north metres, with sanity limits.

The projection is a transverse Mercator centred on the datum (pyproj), so x points to true
east and y to true north at the datum with unit scale: a local ENU plane. Waypoints further
than ``max_distance_m`` from the datum, or in another UTM zone than the datum, are refused
unless forced: both are almost always a typo or a file from another site, and tools that
work in UTM (robot_localization's navsat_transform) jump at zone edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

from anynav.mission.errors import MissionConfigError, UtmZoneError, WaypointTooFarError
from anynav.mission.waypoint import GeoPoint, Waypoint


@dataclass(frozen=True)
class DatumConfig:
    """Limits for accepting waypoints around a datum.

    max_distance_m: refuse waypoints further than this from the datum, (0, 100000] m.
    force: accept waypoints beyond max_distance_m or in another UTM zone anyway.
    """

    max_distance_m: float = 2000.0
    force: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_distance_m) and 0.0 < self.max_distance_m <= 100_000.0):
            raise MissionConfigError(f"max_distance_m={self.max_distance_m!r} must be in (0, 100000] metres")


class LocalDatum:
    """East/north metres around a fixed WGS84 origin."""

    def __init__(self, origin: GeoPoint, config: DatumConfig | None = None) -> None:
        self.origin = origin
        self.config = config or DatumConfig()
        self.utm_zone = utm_zone(origin.latitude, origin.longitude)
        local = CRS.from_proj4(
            f"+proj=tmerc +lat_0={origin.latitude!r} +lon_0={origin.longitude!r} "
            "+k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m"
        )
        self._forward = Transformer.from_crs("EPSG:4326", local, always_xy=True)
        self._inverse = Transformer.from_crs(local, "EPSG:4326", always_xy=True)

    def to_enu(self, latitude: float, longitude: float) -> tuple[float, float]:
        """(east, north) metres of a WGS84 position."""
        east, north = self._forward.transform(longitude, latitude)
        return float(east), float(north)

    def to_geo(self, east: float, north: float) -> tuple[float, float]:
        """(latitude, longitude) degrees of a local ENU position."""
        longitude, latitude = self._inverse.transform(east, north)
        return float(latitude), float(longitude)

    def project(self, waypoints: Sequence[Waypoint]) -> np.ndarray:
        """(N, 2) east/north of each waypoint after checking it against the limits."""
        points = np.zeros((len(waypoints), 2))
        for index, waypoint in enumerate(waypoints):
            points[index] = self.checked_enu(waypoint, index)
        return points

    def checked_enu(self, waypoint: Waypoint, index: int) -> tuple[float, float]:
        """(east, north) of one waypoint; raises if it is too far or in another UTM zone (unless forced)."""
        label = f"waypoint {index}{f' {waypoint.name!r}' if waypoint.name else ''}"
        east, north = self.to_enu(waypoint.latitude, waypoint.longitude)
        if self.config.force:
            return east, north
        zone = utm_zone(waypoint.latitude, waypoint.longitude)
        if zone != self.utm_zone:
            raise UtmZoneError(
                f"{label} ({waypoint.latitude:.6f}, {waypoint.longitude:.6f}) is in UTM zone {zone}, "
                f"the datum ({self.origin.latitude:.6f}, {self.origin.longitude:.6f}) in {self.utm_zone}; "
                "use a datum in the same zone or force"
            )
        distance = math.hypot(east, north)
        if distance > self.config.max_distance_m:
            raise WaypointTooFarError(
                f"{label} is {distance:.0f} m from the datum "
                f"({self.origin.latitude:.6f}, {self.origin.longitude:.6f}), "
                f"more than max_distance_m={self.config.max_distance_m:g}; check the file or force"
            )
        return east, north


def utm_zone(latitude: float, longitude: float) -> str:
    """UTM zone as '32N' / '33S', with the Norway (32V) and Svalbard (31X-37X) exceptions."""
    number = min(int((longitude + 180.0) // 6.0) + 1, 60)
    if 56.0 <= latitude < 64.0 and 3.0 <= longitude < 12.0:
        number = 32
    elif 72.0 <= latitude <= 84.0 and 0.0 <= longitude < 42.0:
        number = 31 if longitude < 9.0 else 33 if longitude < 21.0 else 35 if longitude < 33.0 else 37
    return f"{number}{'N' if latitude >= 0.0 else 'S'}"
