"""GPX 1.1 waypoint files (phone apps, Garmin, Google Earth) read and written with gpxpy.

A file with routes gives the route points (`rte/rtept`, all routes in document order);
a file without routes gives its waypoints (`wpt`). Tracks (`trk`) are recorded paths, not
missions: `read_track` returns them for drawing. Yaw (radians, ENU) and arrival radius
travel in anynav's `<extensions>`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import gpxpy
import gpxpy.gpx

from anynav.mission.errors import InvalidWaypointError, MissionFileError
from anynav.mission.formats.xml_lines import LocatedTree, local_name, parse_xml
from anynav.mission.waypoint import Mission, Waypoint

NAMESPACE = "https://github.com/anynav/anynav/gpx-extensions/1"
_YAW = f"{{{NAMESPACE}}}yaw"
_RADIUS = f"{{{NAMESPACE}}}radius"


def read(data: bytes, path: str) -> Mission:
    """Parse a GPX file; an error names the point (`rte 1 rtept 4`) and its line."""
    tree = _checked_tree(data, path)
    gpx = _parse(data, path)
    if gpx.routes:
        lines = _lines(tree, "rtept")
        points: list[tuple[str, gpxpy.gpx.GPXWaypoint | gpxpy.gpx.GPXRoutePoint]] = [
            (f"rte {r + 1} rtept {p + 1}", point)
            for r, route in enumerate(gpx.routes)
            for p, point in enumerate(route.points)
        ]
    else:
        lines = _lines(tree, "wpt")
        points = [(f"wpt {i + 1}", point) for i, point in enumerate(gpx.waypoints)]
    if not points:
        raise MissionFileError(path, "", _nothing_found(gpx))
    return Mission(
        tuple(
            _waypoint(point, f"{what} (line {line})", path) for (what, point), line in zip(points, lines, strict=True)
        )
    )


def read_track(data: bytes, path: str) -> list[tuple[float, float]]:
    """(lat, lon) of every track point (`trk/trkseg/trkpt`), e.g. a walk recorded on a phone."""
    _checked_tree(data, path)
    gpx = _parse(data, path)
    return [(p.latitude, p.longitude) for track in gpx.tracks for segment in track.segments for p in segment.points]


def write(mission: Mission) -> str:
    """Serialise as one GPX 1.1 route; yaw and radius go into anynav extensions."""
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "anynav"
    gpx.nsmap["anynav"] = NAMESPACE
    route = gpxpy.gpx.GPXRoute(name="anynav mission")
    for w in mission.waypoints:
        point = gpxpy.gpx.GPXRoutePoint(w.latitude, w.longitude, name=w.name)
        for tag, value in ((_YAW, w.yaw), (_RADIUS, w.radius_m)):
            if value is not None:
                element = ET.Element(tag)
                element.text = repr(value)
                point.extensions.append(element)
        route.points.append(point)
    gpx.routes.append(route)
    return gpx.to_xml(version="1.1")


def _checked_tree(data: bytes, path: str) -> LocatedTree:
    """Parse with line numbers and check each point's lat/lon attributes, so errors can say where."""
    tree = parse_xml(data, path)
    if local_name(tree.root.tag) != "gpx":
        raise MissionFileError(
            path, f"line {tree.line(tree.root)}", f"root element is <{local_name(tree.root.tag)}>, expected <gpx>"
        )
    for element in tree.root.iter():
        if local_name(element.tag) not in ("wpt", "rtept", "trkpt"):
            continue
        for attribute in ("lat", "lon"):
            text = element.get(attribute)
            where = f"line {tree.line(element)} (<{local_name(element.tag)}>)"
            if text is None:
                raise MissionFileError(path, where, f"missing attribute {attribute!r}")
            try:
                float(text)
            except ValueError:
                raise MissionFileError(path, where, f"{attribute}={text!r} is not a number") from None
    return tree


def _parse(data: bytes, path: str) -> gpxpy.gpx.GPX:
    try:
        return gpxpy.parse(data.decode("utf-8-sig"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError) as exc:
        raise MissionFileError(path, "", f"not a readable GPX file ({exc})") from None


def _lines(tree: LocatedTree, name: str) -> list[int]:
    return [tree.line(e) for e in tree.root.iter() if local_name(e.tag) == name]


def _waypoint(point: gpxpy.gpx.GPXWaypoint | gpxpy.gpx.GPXRoutePoint, where: str, path: str) -> Waypoint:
    extras = {e.tag: e for e in point.extensions}
    try:
        return Waypoint(
            point.latitude,
            point.longitude,
            yaw=_extension_number(extras.get(_YAW), where, path),
            name=point.name.strip() if point.name and point.name.strip() else None,
            radius_m=_extension_number(extras.get(_RADIUS), where, path),
        )
    except InvalidWaypointError as exc:
        raise MissionFileError(path, where, str(exc)) from None


def _extension_number(element: ET.Element | None, where: str, path: str) -> float | None:
    if element is None:
        return None
    try:
        return float((element.text or "").strip())
    except ValueError:
        raise MissionFileError(
            path, where, f"<anynav:{local_name(element.tag)}> {element.text!r} is not a number"
        ) from None


def _nothing_found(gpx: gpxpy.gpx.GPX) -> str:
    track_points = sum(len(s.points) for t in gpx.tracks for s in t.segments)
    if track_points:
        return (
            f"no waypoints (<wpt>) or routes (<rte>); the file holds a recorded track of {track_points} points, "
            "which is not a mission: mark waypoints or plan a route in the app and export again"
        )
    return "no waypoints (<wpt>) or routes (<rte>) found"
