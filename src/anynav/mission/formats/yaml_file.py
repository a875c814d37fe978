"""Canonical YAML mission files in the Nav2 GPS demo schema: `waypoints: [{latitude, longitude, yaw}]`.

yaw is radians, ENU (0 = east, counter-clockwise), as Nav2's gps_waypoint_logger writes it.
anynav adds optional per-waypoint `name` and `radius` (metres) and a top-level `datum`.
"""

from __future__ import annotations

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from anynav.mission.errors import InvalidWaypointError, MissionFileError
from anynav.mission.waypoint import GeoPoint, Mission, Waypoint

_TOP_KEYS = ("waypoints", "datum")
_WAYPOINT_KEYS = ("latitude", "longitude", "yaw", "name", "radius")
_DATUM_KEYS = ("latitude", "longitude")
_NULL_TAG = "tag:yaml.org,2002:null"


def read(data: bytes, path: str) -> Mission:
    """Parse a YAML mission; every error names the line."""
    try:
        root = yaml.compose(data, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise MissionFileError(path, where, f"not valid YAML ({exc.problem or exc.context})") from None
    except yaml.YAMLError as exc:
        raise MissionFileError(path, "", f"not valid YAML ({exc})") from None
    if root is None:
        raise MissionFileError(path, "", "file is empty; expected a 'waypoints:' list")
    top = _mapping(root, path, "top level", _TOP_KEYS)
    if "waypoints" not in top:
        raise MissionFileError(path, _line(root), "missing key 'waypoints'")
    waypoints_node = top["waypoints"]
    if not isinstance(waypoints_node, SequenceNode):
        raise MissionFileError(path, _line(waypoints_node), "'waypoints' must be a list")
    waypoints = tuple(_waypoint(node, path, i) for i, node in enumerate(waypoints_node.value))
    if not waypoints:
        raise MissionFileError(path, _line(waypoints_node), "'waypoints' is empty")
    datum = _datum(top["datum"], path) if "datum" in top else None
    return Mission(waypoints, datum)


def write(mission: Mission) -> str:
    """Serialise a mission; yaw/name/radius are left out where the waypoint has none."""
    doc: dict[str, object] = {}
    if mission.datum is not None:
        doc["datum"] = {"latitude": mission.datum.latitude, "longitude": mission.datum.longitude}
    doc["waypoints"] = [_waypoint_dict(w) for w in mission.waypoints]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _waypoint_dict(waypoint: Waypoint) -> dict[str, object]:
    entry: dict[str, object] = {"latitude": waypoint.latitude, "longitude": waypoint.longitude}
    if waypoint.yaw is not None:
        entry["yaw"] = waypoint.yaw
    if waypoint.name is not None:
        entry["name"] = waypoint.name
    if waypoint.radius_m is not None:
        entry["radius"] = waypoint.radius_m
    return entry


def _waypoint(node: Node, path: str, index: int) -> Waypoint:
    what = f"waypoints[{index}]"
    fields = _mapping(node, path, what, _WAYPOINT_KEYS)
    for required in ("latitude", "longitude"):
        if required not in fields:
            raise MissionFileError(path, f"{_line(node)} ({what})", f"missing key '{required}'")
    name_node = fields.get("name")
    if name_node is not None and not isinstance(name_node, ScalarNode):
        raise MissionFileError(path, f"{_line(name_node)} ({what}.name)", "name must be a plain string")
    try:
        return Waypoint(
            latitude=_number(fields["latitude"], path, f"{what}.latitude"),
            longitude=_number(fields["longitude"], path, f"{what}.longitude"),
            yaw=_number(fields["yaw"], path, f"{what}.yaw") if "yaw" in fields else None,
            name=name_node.value if name_node is not None and name_node.tag != _NULL_TAG else None,
            radius_m=_number(fields["radius"], path, f"{what}.radius") if "radius" in fields else None,
        )
    except InvalidWaypointError as exc:
        raise MissionFileError(path, f"{_line(node)} ({what})", str(exc)) from None


def _datum(node: Node, path: str) -> GeoPoint:
    fields = _mapping(node, path, "datum", _DATUM_KEYS)
    for required in _DATUM_KEYS:
        if required not in fields:
            raise MissionFileError(path, f"{_line(node)} (datum)", f"missing key '{required}'")
    try:
        return GeoPoint(
            _number(fields["latitude"], path, "datum.latitude"), _number(fields["longitude"], path, "datum.longitude")
        )
    except InvalidWaypointError as exc:
        raise MissionFileError(path, f"{_line(node)} (datum)", str(exc)) from None


def _mapping(node: Node, path: str, what: str, allowed: tuple[str, ...]) -> dict[str, Node]:
    """Keys of a mapping node; an unknown or repeated key is an error naming it and its line."""
    if not isinstance(node, MappingNode):
        raise MissionFileError(path, f"{_line(node)} ({what})", f"expected a mapping with keys {', '.join(allowed)}")
    fields: dict[str, Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        if key not in allowed:
            raise MissionFileError(
                path, f"{_line(key_node)} ({what})", f"unknown key {key!r} (allowed: {', '.join(allowed)})"
            )
        if key in fields:
            raise MissionFileError(path, f"{_line(key_node)} ({what})", f"key {key!r} appears twice")
        fields[key] = value_node
    return fields


def _number(node: Node, path: str, what: str) -> float:
    value = SafeConstructor().construct_object(node, deep=True) if isinstance(node, ScalarNode) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MissionFileError(path, f"{_line(node)} ({what})", f"expected a number, got {_describe(node)}")
    return float(value)


def _describe(node: Node) -> str:
    return repr(node.value) if isinstance(node, ScalarNode) else type(node).__name__.removesuffix("Node").lower()


def _line(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"
