"""GeoJSON waypoint files (RFC 7946): Point, MultiPoint, LineString, MultiLineString; `[lon, lat]`.

A FeatureCollection, a single Feature or a bare geometry is accepted; features are read in
order and every vertex of a multi-vertex geometry becomes a waypoint. Polygons and null
geometries are skipped. Feature properties `name`, `yaw` (radians, ENU) and `radius`
(metres) apply to Point features.
"""

from __future__ import annotations

import json
from typing import Any

from anynav.mission.errors import InvalidWaypointError, MissionFileError
from anynav.mission.waypoint import Mission, Waypoint

_SKIPPED = ("Polygon", "MultiPolygon")
_VERTEX_LISTS = {"MultiPoint": 1, "LineString": 1, "MultiLineString": 2}


def read(data: bytes, path: str) -> Mission:
    """Parse a GeoJSON file; an error names the element (`features[3].geometry.coordinates[1]`)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise MissionFileError(path, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise MissionFileError(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    waypoints: list[Waypoint] = []
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise MissionFileError(path, "features", "a FeatureCollection needs a 'features' list")
        for index, feature in enumerate(features):
            waypoints.extend(_feature(feature, f"features[{index}]", path))
    elif kind == "Feature":
        waypoints.extend(_feature(doc, "(root Feature)", path))
    elif isinstance(kind, str):
        waypoints.extend(_geometry(doc, "(root geometry)", path))
    else:
        raise MissionFileError(
            path, "(root)", "expected a GeoJSON object with a 'type' (FeatureCollection, Feature or geometry)"
        )
    if not waypoints:
        raise MissionFileError(path, "", "no Point, MultiPoint or LineString found")
    return Mission(tuple(waypoints))


def write(mission: Mission) -> str:
    """Serialise as a FeatureCollection of Point features with name/yaw/radius properties."""
    features = []
    for w in mission.waypoints:
        properties = {k: v for k, v in (("name", w.name), ("yaw", w.yaw), ("radius", w.radius_m)) if v is not None}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [w.longitude, w.latitude]},
                "properties": properties,
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=2, ensure_ascii=False) + "\n"


def _feature(feature: Any, where: str, path: str) -> list[Waypoint]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise MissionFileError(path, where, 'expected an object with "type": "Feature"')
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise MissionFileError(path, f"{where}.properties", "must be an object or null")
    name = properties.get("name")
    if name is not None and not isinstance(name, str):
        raise MissionFileError(path, f"{where}.properties.name", f"must be a string, got {name!r}")
    extras = {
        field: _number_property(properties, key, f"{where}.properties.{key}", path)
        for key, field in (("yaw", "yaw"), ("radius", "radius_m"))
    }
    geometry = feature.get("geometry")
    if geometry is None:
        return []
    return _geometry(geometry, f"{where}.geometry", path, name, extras)


def _geometry(
    geometry: Any, where: str, path: str, name: str | None = None, extras: dict[str, float | None] | None = None
) -> list[Waypoint]:
    if not isinstance(geometry, dict):
        raise MissionFileError(path, where, "must be a geometry object")
    kind = geometry.get("type")
    if kind in _SKIPPED:
        return []
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        return [_waypoint(coordinates, f"{where}.coordinates", path, name=name, **(extras or {}))]
    depth = _VERTEX_LISTS.get(kind) if isinstance(kind, str) else None
    if depth is None:
        raise MissionFileError(
            path,
            f"{where}.type",
            f"unsupported geometry type {kind!r} (supported: Point, MultiPoint, LineString, MultiLineString)",
        )
    vertices = _flatten(coordinates, depth, f"{where}.coordinates", path)
    return [
        _waypoint(position, at, path, name=f"{name} {i}" if name else None)
        for i, (at, position) in enumerate(vertices, start=1)
    ]


def _flatten(coordinates: Any, depth: int, where: str, path: str) -> list[tuple[str, Any]]:
    if not isinstance(coordinates, list):
        raise MissionFileError(path, where, "must be a list of positions")
    if depth == 1:
        return [(f"{where}[{i}]", position) for i, position in enumerate(coordinates)]
    return [item for i, part in enumerate(coordinates) for item in _flatten(part, depth - 1, f"{where}[{i}]", path)]


def _waypoint(position: Any, where: str, path: str, **fields: Any) -> Waypoint:
    if not (
        isinstance(position, list)
        and 2 <= len(position) <= 3
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position)
    ):
        raise MissionFileError(path, where, f"position {json.dumps(position)} must be [lon, lat] or [lon, lat, alt]")
    try:
        return Waypoint(float(position[1]), float(position[0]), **fields)
    except InvalidWaypointError as exc:
        raise MissionFileError(path, where, f"{exc} (GeoJSON order is [lon, lat])") from None


def _number_property(properties: dict[str, Any], key: str, where: str, path: str) -> float | None:
    value = properties.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MissionFileError(path, where, f"must be a number, got {value!r}")
    return float(value)
