"""Shared mission test inputs: NavSatFix-like readings, a sample mission, the phone-made GPX file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from anynav.mission import Mission, Waypoint

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Fix:
    """The NavSatFix fields the mission core reads (anynav.msgs.navigation.GpsFix has the same)."""

    status: int
    latitude: float
    longitude: float
    position_covariance: tuple[float, ...]
    covariance_type: int
    stamp_ns: int


@pytest.fixture
def make_fix() -> Callable[..., Fix]:
    """Fix(lat, lon) with a 1 m standard deviation, status FIX, stamped at ``stamp_ns``."""

    def build(
        latitude: float,
        longitude: float,
        stamp_ns: int = 0,
        status: int = 0,
        std_m: float = 1.0,
        covariance_type: int = 2,
    ) -> Fix:
        variance = std_m**2
        return Fix(
            status, latitude, longitude, (variance, 0, 0, 0, variance, 0, 0, 0, 4 * variance), covariance_type, stamp_ns
        )

    return build


@pytest.fixture
def sample_mission() -> Mission:
    """Four waypoints around a Munich campus with every optional field used somewhere."""
    return Mission(
        (
            Waypoint(48.149621012345678, 11.567783098765432, yaw=0.0, name="Gate", radius_m=1.5),
            Waypoint(48.1499551, 11.5683123, yaw=1.2345678901234567, name='Library corner, "east" <door>'),
            Waypoint(48.1502993, 11.5690471, radius_m=3.0),
            Waypoint(48.1500021, 11.5697952, yaw=-2.5, name="Bänke"),
        )
    )


@pytest.fixture
def phone_gpx() -> Path:
    """A GPX file as a phone app (OsmAnd) exports it: metadata, named wpt with app extensions, a rte, a trk."""
    return DATA / "phone_route.gpx"
