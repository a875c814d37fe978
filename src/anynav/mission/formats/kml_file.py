"""KML waypoint files (Google Earth, Google My Maps): Placemark Points and LineStrings.

KML coordinates are `lon,lat[,alt]`: longitude first. Placemarks are read in document
order; a LineString contributes each vertex. Other geometries (polygons, models) are not
waypoints and are skipped. Yaw (radians, ENU) and radius (metres) travel in ExtendedData.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from anynav.mission.errors import InvalidWaypointError, MissionFileError
from anynav.mission.formats.xml_lines import LocatedTree, local_name, parse_xml
from anynav.mission.waypoint import Mission, Waypoint

NAMESPACE = "http://www.opengis.net/kml/2.2"
_EXTENDED = {"yaw": "yaw", "radius": "radius_m"}


def read(data: bytes, path: str) -> Mission:
    """Parse a KML file; an error names the Placemark and its line."""
    tree = parse_xml(data, path)
    if local_name(tree.root.tag) != "kml":
        raise MissionFileError(
            path, f"line {tree.line(tree.root)}", f"root element is <{local_name(tree.root.tag)}>, expected <kml>"
        )
    waypoints: list[Waypoint] = []
    for number, placemark in enumerate(_children_named(tree.root, "Placemark", deep=True), start=1):
        waypoints.extend(_placemark(tree, placemark, number, path))
    if not waypoints:
        raise MissionFileError(path, "", "no Placemark with a Point or LineString found")
    return Mission(tuple(waypoints))


def write(mission: Mission) -> str:
    """Serialise as one Placemark with a Point per waypoint."""
    ET.register_namespace("", NAMESPACE)
    kml = ET.Element(f"{{{NAMESPACE}}}kml")
    document = ET.SubElement(kml, f"{{{NAMESPACE}}}Document")
    ET.SubElement(document, f"{{{NAMESPACE}}}name").text = "anynav mission"
    for w in mission.waypoints:
        placemark = ET.SubElement(document, f"{{{NAMESPACE}}}Placemark")
        if w.name is not None:
            ET.SubElement(placemark, f"{{{NAMESPACE}}}name").text = w.name
        extended = {"yaw": w.yaw, "radius": w.radius_m}
        if any(v is not None for v in extended.values()):
            data_parent = ET.SubElement(placemark, f"{{{NAMESPACE}}}ExtendedData")
            for key, value in extended.items():
                if value is not None:
                    data = ET.SubElement(data_parent, f"{{{NAMESPACE}}}Data", name=key)
                    ET.SubElement(data, f"{{{NAMESPACE}}}value").text = repr(value)
        point = ET.SubElement(placemark, f"{{{NAMESPACE}}}Point")
        ET.SubElement(point, f"{{{NAMESPACE}}}coordinates").text = f"{w.longitude!r},{w.latitude!r}"
    ET.indent(kml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(kml, encoding="unicode") + "\n"


def _placemark(tree: LocatedTree, placemark: ET.Element, number: int, path: str) -> list[Waypoint]:
    name = _text(placemark, "name")
    where = f"line {tree.line(placemark)} (Placemark {number}{f' {name!r}' if name else ''})"
    extras = _extended_data(placemark, where, path)
    waypoints: list[Waypoint] = []
    for geometry in placemark.iter():
        kind = local_name(geometry.tag)
        if kind not in ("Point", "LineString"):
            continue
        geometry_where = f"line {tree.line(geometry)} (Placemark {number} {kind})"
        tuples = (_text(geometry, "coordinates") or "").split()
        if not tuples:
            raise MissionFileError(path, geometry_where, f"<{kind}> has no <coordinates>")
        if kind == "Point" and len(tuples) != 1:
            raise MissionFileError(path, geometry_where, f"a Point needs one 'lon,lat[,alt]' tuple, got {len(tuples)}")
        for vertex, text in enumerate(tuples, start=1):
            lon, lat = _lon_lat(text, geometry_where, path)
            label = name if kind == "Point" or name is None else f"{name} {vertex}"
            try:
                waypoints.append(Waypoint(lat, lon, name=label, **(extras if kind == "Point" else {})))
            except InvalidWaypointError as exc:
                raise MissionFileError(
                    path, geometry_where, f"{exc} in tuple {vertex} {text!r} (KML order is lon,lat)"
                ) from None
    return waypoints


def _lon_lat(text: str, where: str, path: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) not in (2, 3):
        raise MissionFileError(path, where, f"coordinate tuple {text!r} must be 'lon,lat[,alt]'")
    try:
        lon, lat = float(parts[0]), float(parts[1])
    except ValueError:
        raise MissionFileError(path, where, f"coordinate tuple {text!r} holds a non-number") from None
    return lon, lat


def _extended_data(placemark: ET.Element, where: str, path: str) -> dict[str, float]:
    extras: dict[str, float] = {}
    for data in placemark.iter():
        if local_name(data.tag) != "Data" or data.get("name") not in _EXTENDED:
            continue
        text = _text(data, "value") or ""
        try:
            extras[_EXTENDED[data.get("name", "")]] = float(text)
        except ValueError:
            raise MissionFileError(
                path, where, f"ExtendedData {data.get('name')!r} value {text!r} is not a number"
            ) from None
    return extras


def _children_named(element: ET.Element, name: str, deep: bool = False) -> Iterator[ET.Element]:
    candidates = element.iter() if deep else iter(element)
    return (child for child in candidates if local_name(child.tag) == name)


def _text(element: ET.Element, child_name: str) -> str | None:
    child = next(_children_named(element, child_name), None)
    text = (child.text or "").strip() if child is not None else ""
    return text or None
