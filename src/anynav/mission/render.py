"""Route pictures: waypoints, numbers, arrival circles, scale bar and an optional robot track, as a PNG."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np

from anynav.mission.errors import MissionFileError

_BACKGROUND = (255, 255, 255)
_ROUTE = (200, 120, 30)
_CIRCLE = (120, 200, 120)
_WAYPOINT = (40, 40, 220)
_TRACK = (0, 150, 255)
_TEXT = (30, 30, 30)
_MARGIN_PX = 60


def render_route(
    points_enu: np.ndarray,
    radii_m: Sequence[float],
    labels: Sequence[str],
    track_enu: np.ndarray | None = None,
    title: str = "",
    size_px: int = 800,
) -> np.ndarray:
    """A (size_px, size_px, 3) BGR image of the route, north up, east right, equal scale on both axes."""
    points = np.asarray(points_enu, dtype=float).reshape(-1, 2)
    track = np.asarray(track_enu, dtype=float).reshape(-1, 2) if track_enu is not None else np.zeros((0, 2))
    to_px, metres_per_px = _frame(points, np.asarray(radii_m, dtype=float), track, size_px)
    image = np.full((size_px, size_px, 3), _BACKGROUND, dtype=np.uint8)
    for point, radius in zip(points, radii_m, strict=True):
        cv2.circle(image, to_px(point), max(2, round(radius / metres_per_px)), _CIRCLE, 1, cv2.LINE_AA)
    if len(track) > 1:
        cv2.polylines(image, [np.array([to_px(p) for p in track], np.int32)], False, _TRACK, 2, cv2.LINE_AA)
    if len(points) > 1:
        cv2.polylines(image, [np.array([to_px(p) for p in points], np.int32)], False, _ROUTE, 2, cv2.LINE_AA)
    merged: dict[tuple[int, int], list[str]] = {}
    for point, label in zip(points, labels, strict=True):
        merged.setdefault(to_px(point), []).append(label)  # a loop back to the start shares one label
    for (x, y), names in merged.items():
        cv2.circle(image, (x, y), 5, _WAYPOINT, -1, cv2.LINE_AA)
        cv2.putText(image, ", ".join(names), (x + 8, y - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, _TEXT, 1, cv2.LINE_AA)
    _scale_bar(image, metres_per_px)
    _north_arrow(image)
    if title:
        cv2.putText(image, title, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.55, _TEXT, 1, cv2.LINE_AA)
    return image


def write_png(path: str | Path, image: np.ndarray) -> None:
    """Write ``image`` as PNG; failure is a MissionFileError naming the path."""
    ok, encoded = cv2.imencode(".png", image)
    try:
        if not ok:
            raise OSError("PNG encoding failed")
        Path(path).write_bytes(encoded.tobytes())
    except OSError as exc:
        raise MissionFileError(str(path), "", f"cannot write PNG ({exc.strerror or exc})") from None


def nice_length(target_m: float) -> float:
    """The largest 1, 2 or 5 x 10^k metres not above ``target_m`` (scale bar length)."""
    exponent = math.floor(math.log10(target_m))
    for mantissa in (5.0, 2.0, 1.0):
        if mantissa * 10.0**exponent <= target_m:
            return mantissa * 10.0**exponent
    return 10.0**exponent


def _frame(
    points: np.ndarray, radii: np.ndarray, track: np.ndarray, size_px: int
) -> tuple[Callable[[np.ndarray], tuple[int, int]], float]:
    """Pixel mapping that fits waypoints (with their circles) and the track into the image."""
    extents = [points - radii[:, None], points + radii[:, None], track]
    everything = np.vstack([e for e in extents if len(e)])
    low, high = everything.min(axis=0), everything.max(axis=0)
    span = max(float((high - low).max()), 10.0)
    centre = (low + high) / 2.0
    metres_per_px = span / (size_px - 2 * _MARGIN_PX)

    def to_px(point: np.ndarray) -> tuple[int, int]:
        x = size_px / 2.0 + (point[0] - centre[0]) / metres_per_px
        y = size_px / 2.0 - (point[1] - centre[1]) / metres_per_px
        return round(x), round(y)

    return to_px, metres_per_px


def _scale_bar(image: np.ndarray, metres_per_px: float) -> None:
    height = image.shape[0]
    length_m = nice_length(0.25 * image.shape[1] * metres_per_px)
    length_px = round(length_m / metres_per_px)
    x0, y = 20, height - 25
    cv2.line(image, (x0, y), (x0 + length_px, y), _TEXT, 3)
    for x in (x0, x0 + length_px):
        cv2.line(image, (x, y - 6), (x, y + 6), _TEXT, 2)
    label = f"{length_m:g} m"
    cv2.putText(image, label, (x0, y - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _TEXT, 1, cv2.LINE_AA)


def _north_arrow(image: np.ndarray) -> None:
    x = image.shape[1] - 30
    cv2.arrowedLine(image, (x, 70), (x, 30), _TEXT, 2, cv2.LINE_AA, tipLength=0.3)
    cv2.putText(image, "N", (x - 6, 88), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _TEXT, 1, cv2.LINE_AA)
