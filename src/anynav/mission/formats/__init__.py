"""Waypoint file formats: load and save missions as YAML, CSV, GPX, KML or GeoJSON (all WGS84)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from anynav.mission.errors import MissionFileError, UnknownFormatError
from anynav.mission.formats import csv_file, geojson_file, gpx_file, kml_file, yaml_file
from anynav.mission.waypoint import Mission

__all__ = ["FORMATS", "format_for_path", "load_mission", "load_track", "save_mission"]

FORMATS: dict[str, ModuleType] = {
    "yaml": yaml_file,
    "csv": csv_file,
    "gpx": gpx_file,
    "kml": kml_file,
    "geojson": geojson_file,
}
_EXTENSIONS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    ".gpx": "gpx",
    ".kml": "kml",
    ".geojson": "geojson",
    ".json": "geojson",
}


def format_for_path(path: str | Path, fmt: str | None = None) -> str:
    """The format name for ``path``: ``fmt`` when given, else from the file extension."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise UnknownFormatError(str(path), "", f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
        return fmt
    name = _EXTENSIONS.get(Path(path).suffix.lower())
    if name is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise UnknownFormatError(
            str(path), "", f"cannot tell the format from the extension (known: {known}); give it explicitly"
        )
    return name


def load_mission(path: str | Path, fmt: str | None = None) -> Mission:
    """Read a mission file; any problem raises MissionFileError naming file, line/element and reason."""
    reader: Callable[[bytes, str], Mission] = FORMATS[format_for_path(path, fmt)].read
    return reader(_read_bytes(path), str(path))


def load_track(path: str | Path, fmt: str | None = None) -> list[tuple[float, float]]:
    """(lat, lon) of a recorded track: GPX `trk` points, or the waypoints of any other mission file."""
    name = format_for_path(path, fmt)
    if name == "gpx":
        points = gpx_file.read_track(_read_bytes(path), str(path))
        if points:
            return points
    return [(w.latitude, w.longitude) for w in load_mission(path, name).waypoints]


def save_mission(mission: Mission, path: str | Path, fmt: str | None = None) -> None:
    """Write ``mission`` in the format of ``path`` (or ``fmt``), replacing the file atomically."""
    text = FORMATS[format_for_path(path, fmt)].write(mission)
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        raise MissionFileError(str(path), "", f"cannot write ({exc.strerror or exc})") from None


def _read_bytes(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise MissionFileError(str(path), "", f"cannot read ({exc.strerror or exc})") from None
