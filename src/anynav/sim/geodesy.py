"""WGS84 latitude/longitude/altitude <-> local ENU metres around a fixed datum (pyproj)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Transformer

from anynav.sim.validation import require

__all__ = ["Datum", "LocalTangentPlane"]


@dataclass(frozen=True)
class Datum:
    """The geodetic position of the world origin (x east, y north, z up).

    Attributes:
        latitude: degrees, WGS84, in [-89, 89].
        longitude: degrees, WGS84, in [-180, 180].
        altitude: metres above the WGS84 ellipsoid.
    """

    latitude: float
    longitude: float
    altitude: float = 0.0

    def __post_init__(self) -> None:
        require(
            -89.0 <= self.latitude <= 89.0,
            "latitude",
            "in [-89, 89] degrees (ENU is degenerate at the poles)",
            self.latitude,
        )
        require(-180.0 <= self.longitude <= 180.0, "longitude", "in [-180, 180] degrees", self.longitude)
        require(-500.0 <= self.altitude <= 9000.0, "altitude", "in [-500, 9000] m", self.altitude)


class LocalTangentPlane:
    """Exact WGS84 <-> topocentric ENU conversion around a datum.

    Uses PROJ's ``cart`` + ``topocentric`` pipeline (geodetic -> ECEF -> ENU), which is exact
    at any distance, unlike a flat-earth approximation.
    """

    def __init__(self, datum: Datum) -> None:
        self.datum = datum
        self._transformer = Transformer.from_pipeline(
            "+proj=pipeline"
            " +step +proj=axisswap +order=2,1"
            " +step +proj=unitconvert +xy_in=deg +xy_out=rad"
            " +step +proj=cart +ellps=WGS84"
            f" +step +proj=topocentric +ellps=WGS84 +lat_0={datum.latitude!r} +lon_0={datum.longitude!r}"
            f" +h_0={datum.altitude!r}"
        )

    def to_enu(
        self, latitude: float | np.ndarray, longitude: float | np.ndarray, altitude: float | np.ndarray | None = None
    ) -> tuple:
        """(east, north, up) in metres of a WGS84 position; altitude defaults to the datum's."""
        alt = self.datum.altitude if altitude is None else altitude
        return self._transformer.transform(latitude, longitude, alt)

    def to_geodetic(self, east: float | np.ndarray, north: float | np.ndarray, up: float | np.ndarray = 0.0) -> tuple:
        """(latitude, longitude, altitude) of an ENU position in metres."""
        return self._transformer.transform(east, north, up, direction="INVERSE")
