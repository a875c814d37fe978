"""The local ENU datum: metres that agree with geodesics, and refusal of far or other-zone waypoints."""

from __future__ import annotations

import math

import pytest
from pyproj import Geod
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from anynav.mission import (
    DatumConfig,
    GeoPoint,
    LocalDatum,
    MissionConfigError,
    UtmZoneError,
    Waypoint,
    WaypointTooFarError,
    utm_zone,
)

GEOD = Geod(ellps="WGS84")
ORIGIN = GeoPoint(48.149621, 11.567783)


@pytest.mark.parametrize(
    ("azimuth", "expected"), [(0.0, (0.0, 150.0)), (90.0, (150.0, 0.0)), (225.0, (-106.066, -106.066))]
)
def test_enu_metres_match_the_geodesic(azimuth: float, expected: tuple[float, float]) -> None:
    lon, lat, _ = GEOD.fwd(ORIGIN.longitude, ORIGIN.latitude, azimuth, 150.0)
    east, north = LocalDatum(ORIGIN).to_enu(lat, lon)
    assert (east, north) == pytest.approx(expected, abs=2e-3)


def test_enu_and_back_is_lossless() -> None:
    datum = LocalDatum(ORIGIN)
    lat, lon = datum.to_geo(-812.25, 1377.5)
    assert datum.to_enu(lat, lon) == pytest.approx((-812.25, 1377.5), abs=1e-6)


def test_far_waypoint_is_refused_unless_forced() -> None:
    lon, lat, _ = GEOD.fwd(ORIGIN.longitude, ORIGIN.latitude, 30.0, 2500.0)
    far = Waypoint(lat, lon, name="typo")
    with pytest.raises(WaypointTooFarError, match=r"waypoint 3 'typo' is 2500 m from the datum .* max_distance_m=2000"):
        LocalDatum(ORIGIN).checked_enu(far, 3)
    assert LocalDatum(ORIGIN, DatumConfig(max_distance_m=3000.0)).checked_enu(far, 3) == pytest.approx(
        (1250.0, 2165.06), abs=0.05
    )
    assert LocalDatum(ORIGIN, DatumConfig(force=True)).project([far]).shape == (1, 2)


def test_waypoint_in_another_utm_zone_is_refused_unless_forced() -> None:
    datum = LocalDatum(GeoPoint(47.5, 11.995))  # zone 32, 370 m from the 12 degree zone edge
    across = Waypoint(47.5, 12.004)
    with pytest.raises(UtmZoneError, match="UTM zone 33N, the datum .* in 32N"):
        datum.project([Waypoint(47.5, 11.996), across])
    east, north = LocalDatum(GeoPoint(47.5, 11.995), DatumConfig(force=True)).project([across])[0]
    _, _, geodesic = GEOD.inv(11.995, 47.5, 12.004, 47.5)
    assert math.hypot(east, north) == pytest.approx(geodesic, abs=0.01)


@pytest.mark.parametrize(("lat", "lon"), [(48.15, 11.57), (-33.9, 18.4), (40.7, -74.0), (35.7, 139.7), (-0.2, -78.5)])
def test_utm_zone_agrees_with_the_epsg_database(lat: float, lon: float) -> None:
    (info,) = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    assert info.name.endswith(f"zone {utm_zone(lat, lon)}")


def test_utm_zone_exceptions_norway_and_svalbard() -> None:
    assert utm_zone(60.4, 5.3) == "32N"  # Bergen lies in the widened zone 32V
    assert utm_zone(78.2, 15.6) == "33N"  # Longyearbyen
    assert utm_zone(78.2, 8.0) == "31N"


def test_datum_config_rejects_bad_distance() -> None:
    with pytest.raises(MissionConfigError, match=r"max_distance_m=-5.0 must be in \(0, 100000\]"):
        DatumConfig(max_distance_m=-5.0)
