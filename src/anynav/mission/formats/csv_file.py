"""CSV waypoint files: a header row, then `lat,lon[,yaw_deg][,name][,tolerance_m]` per line.

Common header spellings are accepted (latitude/lat, longitude/lon/lng, radius/tolerance ...);
comma, semicolon or tab separated. Yaw is degrees ENU (0 = east, counter-clockwise) unless
the column is called `yaw_rad`.
"""

from __future__ import annotations

import csv
import io
import math

from anynav.mission.errors import InvalidWaypointError, MissionFileError
from anynav.mission.waypoint import Mission, Waypoint

_COLUMNS = {
    "lat": ("lat", "latitude", "lat_deg"),
    "lon": ("lon", "lng", "long", "longitude", "lon_deg"),
    "yaw_deg": ("yaw_deg", "yaw_degrees"),
    "yaw_rad": ("yaw_rad", "yaw_radians"),
    "name": ("name", "label", "title", "waypoint", "wpt_name"),
    "tolerance_m": ("tolerance_m", "tolerance", "radius", "radius_m", "arrival_radius"),
}
# Columns other tools export next to the position; they carry nothing a mission uses.
_IGNORED = {
    "ele",
    "elevation",
    "alt",
    "altitude",
    "time",
    "timestamp",
    "date",
    "desc",
    "description",
    "comment",
    "cmt",
    "sym",
    "symbol",
    "type",
    "id",
    "index",
    "no",
    "#",
}
_HEADER_FOR = {alias: column for column, aliases in _COLUMNS.items() for alias in aliases}


def read(data: bytes, path: str) -> Mission:
    """Parse a CSV waypoint file; every error names the line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MissionFileError(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise MissionFileError(
            path, "", "file is empty; expected a header row such as 'lat,lon,yaw_deg,name,tolerance_m'"
        )
    delimiter = max(",;\t", key=lines[header_index].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: dict[str, int] | None = None
    waypoints = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _header(row, path, reader.line_num)
            continue
        waypoints.append(_waypoint(row, header, path, reader.line_num))
    if not waypoints:
        raise MissionFileError(path, "", "no waypoint rows after the header")
    return Mission(tuple(waypoints))


def write(mission: Mission) -> str:
    """Serialise as `lat,lon,yaw_deg,name,tolerance_m`; missing optional values stay empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["lat", "lon", "yaw_deg", "name", "tolerance_m"])
    for w in mission.waypoints:
        writer.writerow(
            [
                repr(w.latitude),
                repr(w.longitude),
                "" if w.yaw is None else repr(math.degrees(w.yaw)),
                w.name or "",
                "" if w.radius_m is None else repr(w.radius_m),
            ]
        )
    return out.getvalue()


def _header(row: list[str], path: str, line: int) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = cell.strip().lower()
        if name in _IGNORED:
            continue
        if name in ("yaw", "heading"):
            raise MissionFileError(
                path,
                f"line {line}, column {index + 1}",
                f"column {cell.strip()!r} is ambiguous: name it yaw_deg or yaw_rad (ENU, 0 = east, counter-clockwise)",
            )
        column = _HEADER_FOR.get(name)
        if column is None:
            try:
                float(name)
            except ValueError:
                pass
            else:
                raise MissionFileError(
                    path, f"line {line}", "the first row holds numbers; add a header row such as 'lat,lon'"
                )
            accepted = ", ".join(sorted(_HEADER_FOR))
            raise MissionFileError(
                path, f"line {line}, column {index + 1}", f"unknown column {cell.strip()!r} (accepted: {accepted})"
            )
        if column in columns:
            raise MissionFileError(path, f"line {line}, column {index + 1}", f"column {column!r} given twice")
        columns[column] = index
    if "yaw_deg" in columns and "yaw_rad" in columns:
        raise MissionFileError(path, f"line {line}", "give yaw either in degrees or in radians, not both")
    for required in ("lat", "lon"):
        if required not in columns:
            raise MissionFileError(
                path, f"line {line}", f"header has no {required!r} column (accepted: {', '.join(_COLUMNS[required])})"
            )
    return columns


def _waypoint(row: list[str], header: dict[str, int], path: str, line: int) -> Waypoint:
    def cell(column: str) -> str:
        index = header.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    def number(column: str) -> float | None:
        text = cell(column)
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise MissionFileError(
                path, f"line {line}, column {header[column] + 1}", f"{column}={text!r} is not a number"
            ) from None

    lat, lon = number("lat"), number("lon")
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        raise MissionFileError(path, f"line {line}, column {header[missing] + 1}", f"{missing} is empty")
    yaw_deg = number("yaw_deg")
    yaw = math.radians(yaw_deg) if yaw_deg is not None else number("yaw_rad")
    try:
        return Waypoint(lat, lon, yaw=yaw, name=cell("name") or None, radius_m=number("tolerance_m"))
    except InvalidWaypointError as exc:
        raise MissionFileError(path, f"line {line}", str(exc)) from None
