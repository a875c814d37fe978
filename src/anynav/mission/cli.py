"""`anynav mission show|check|convert`: look at, validate and convert GPS waypoint files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from anynav.mission.datum import DatumConfig, LocalDatum
from anynav.mission.errors import MissionError
from anynav.mission.formats import FORMATS, format_for_path, load_mission, load_track, save_mission
from anynav.mission.render import render_route, write_png
from anynav.mission.runner import MissionConfig
from anynav.mission.waypoint import GeoPoint, Mission


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the `show`, `check` and `convert` sub-commands on ``parser``."""
    commands = parser.add_subparsers(dest="mission_command", required=True, metavar="{show,check,convert}")
    show = commands.add_parser("show", help="print the waypoints with ENU positions and leg lengths; draw a PNG")
    show.add_argument("file", help="waypoint file (.yaml .csv .gpx .kml .geojson)")
    show.add_argument("--png", metavar="OUT.png", help="also draw the route to this PNG")
    show.add_argument("--track", metavar="FILE", help="draw this recorded track too (GPX trk, or any waypoint file)")
    _datum_arguments(show)
    check = commands.add_parser("check", help="validate a waypoint file; exit status 1 with the reason if bad")
    check.add_argument("file", help="waypoint file (.yaml .csv .gpx .kml .geojson)")
    _datum_arguments(check)
    convert = commands.add_parser("convert", help="convert a waypoint file to another format (by extension)")
    convert.add_argument("input", help="waypoint file to read")
    convert.add_argument("output", help="file to write; format from its extension unless --format")
    convert.add_argument("--format", choices=sorted(FORMATS), help="output format (overrides the extension)")
    convert.add_argument("--input-format", choices=sorted(FORMATS), help="input format (overrides the extension)")


def run(args: argparse.Namespace) -> int:
    """Run the chosen sub-command; a bad file prints 'error: <file>: <where>: <reason>' and returns 1."""
    try:
        if args.mission_command == "show":
            return _show(args)
        if args.mission_command == "check":
            return _check(args)
        return _convert(args)
    except MissionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _datum_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input-format", choices=sorted(FORMATS), help="file format (overrides the extension)")
    parser.add_argument("--datum", metavar="LAT,LON", type=_lat_lon, help="local ENU origin (default: first waypoint)")
    parser.add_argument(
        "--max-distance",
        type=float,
        default=DatumConfig.max_distance_m,
        metavar="M",
        help="refuse waypoints further than this from the datum (default %(default)g m)",
    )
    parser.add_argument("--force", action="store_true", help="accept far waypoints and other UTM zones")
    parser.add_argument(
        "--radius",
        type=float,
        default=MissionConfig.default_radius_m,
        metavar="M",
        help="arrival radius of waypoints without their own (default %(default)g m)",
    )


def _lat_lon(text: str) -> GeoPoint:
    try:
        latitude, longitude = (float(part) for part in text.split(","))
        return GeoPoint(latitude, longitude)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not 'LAT,LON' in WGS84 degrees") from None


def _load(args: argparse.Namespace) -> tuple[Mission, LocalDatum, np.ndarray]:
    mission = load_mission(args.file, args.input_format)
    origin = args.datum or mission.datum or GeoPoint(mission.waypoints[0].latitude, mission.waypoints[0].longitude)
    config = MissionConfig(default_radius_m=args.radius, datum=DatumConfig(args.max_distance, args.force))
    datum = LocalDatum(origin, config.datum)
    return mission, datum, datum.project(mission.waypoints)


def _check(args: argparse.Namespace) -> int:
    mission, datum, points = _load(args)
    fmt = format_for_path(args.file, args.input_format)
    print(
        f"ok: {args.file}: {len(mission)} waypoints ({fmt}), route {_legs(points).sum():.1f} m, "
        f"datum {datum.origin.latitude:.7f}, {datum.origin.longitude:.7f} (UTM {datum.utm_zone})"
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    mission, datum, points = _load(args)
    legs = _legs(points)
    totals = np.cumsum(legs)
    radii = [w.radius_m if w.radius_m is not None else args.radius for w in mission.waypoints]
    print(
        f"{args.file}: {len(mission)} waypoints ({format_for_path(args.file, args.input_format)}), WGS84; "
        f"datum {datum.origin.latitude:.7f}, {datum.origin.longitude:.7f} (UTM {datum.utm_zone}); "
        "yaw ENU (0 = east, CCW)"
    )
    header = (
        f"{'#':>3}  {'name':<16} {'latitude':>12} {'longitude':>13} {'east_m':>9} {'north_m':>9} "
        f"{'yaw_deg':>8} {'radius_m':>8} {'leg_m':>8} {'total_m':>9}"
    )
    print(header)
    for index, (w, (east, north)) in enumerate(zip(mission.waypoints, points, strict=True)):
        yaw = f"{np.degrees(w.yaw):8.1f}" if w.yaw is not None else f"{'-':>8}"
        print(
            f"{index:>3}  {(w.name or '-')[:16]:<16} {w.latitude:12.7f} {w.longitude:13.7f} {east:9.2f} {north:9.2f} "
            f"{yaw} {radii[index]:8.1f} {legs[index]:8.2f} {totals[index]:9.2f}"
        )
    print(f"route length {totals[-1]:.1f} m")
    if args.png:
        track = None
        if args.track:
            track = np.array([datum.to_enu(lat, lon) for lat, lon in load_track(args.track)])
        labels = [f"{i} {w.name}" if w.name else str(i) for i, w in enumerate(mission.waypoints)]
        title = f"{Path(args.file).name}: {len(mission)} waypoints, {totals[-1]:.0f} m"
        write_png(args.png, render_route(points, radii, labels, track, title))
        print(f"wrote {args.png}")
    return 0


def _convert(args: argparse.Namespace) -> int:
    mission = load_mission(args.input, args.input_format)
    fmt = format_for_path(args.output, args.format)
    save_mission(mission, args.output, fmt)
    print(f"wrote {args.output}: {len(mission)} waypoints ({fmt})")
    return 0


def _legs(points: np.ndarray) -> np.ndarray:
    """Length of the leg arriving at each waypoint (0 for the first)."""
    return np.concatenate([[0.0], np.linalg.norm(np.diff(points, axis=0), axis=1)])
