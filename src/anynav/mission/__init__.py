"""GPS waypoint missions: files, a fixed local ENU datum, fix checks, the mission state machine, route pictures."""

from __future__ import annotations

from anynav.mission.datum import DatumConfig, LocalDatum, utm_zone
from anynav.mission.errors import (
    DatumError,
    InvalidWaypointError,
    MissionConfigError,
    MissionError,
    MissionFileError,
    MissionStateError,
    NoAdequateFixError,
    UnknownFormatError,
    UtmZoneError,
    WaypointTooFarError,
)
from anynav.mission.fix import FixCheck, FixPolicy, NavSatFixLike, check_fix
from anynav.mission.formats import FORMATS, format_for_path, load_mission, load_track, save_mission
from anynav.mission.goal import goal_in_base_link, heading_enu, wrap_angle
from anynav.mission.render import render_route, write_png
from anynav.mission.runner import MissionConfig, MissionRunner, MissionState, MissionStatus
from anynav.mission.waypoint import GeoPoint, Mission, Waypoint

__all__ = [
    "FORMATS",
    "DatumConfig",
    "DatumError",
    "FixCheck",
    "FixPolicy",
    "GeoPoint",
    "InvalidWaypointError",
    "LocalDatum",
    "Mission",
    "MissionConfig",
    "MissionConfigError",
    "MissionError",
    "MissionFileError",
    "MissionRunner",
    "MissionState",
    "MissionStateError",
    "MissionStatus",
    "NavSatFixLike",
    "NoAdequateFixError",
    "UnknownFormatError",
    "UtmZoneError",
    "Waypoint",
    "WaypointTooFarError",
    "check_fix",
    "format_for_path",
    "goal_in_base_link",
    "heading_enu",
    "load_mission",
    "load_track",
    "render_route",
    "save_mission",
    "utm_zone",
    "wrap_angle",
    "write_png",
]
