"""Top-down PNG of a run: the world map, pedestrian paths, waypoints with arrival circles, the trajectory."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from anynav.sim.errors import SimError
from anynav.sim.scenario import Building, Scenario
from anynav.sim.world import CollisionEvent

__all__ = ["map_size_px", "write_trajectory_png"]

_MARGIN_PX = 40
_MAX_SIDE_PX = 1400
# BGR colours.
_GROUND = {"grass": (150, 200, 160), "asphalt": (170, 170, 170), "paving": (190, 200, 205), "sand": (170, 210, 225)}
_GRID = (120, 120, 120)
_BUILDING = (95, 95, 105)
_PARKED = (150, 130, 110)
_WALL = (60, 60, 60)
_POLE = (40, 40, 40)
_TREE = (50, 120, 40)
_PEDESTRIAN = (40, 120, 230)
_WAYPOINT = (200, 90, 20)
_TRAJECTORY = (160, 30, 200)
_COLLISION = (0, 0, 230)
_TEXT = (20, 20, 20)


def _pixels_per_metre(scenario: Scenario, pixels_per_metre: float | None) -> float:
    w = scenario.world
    if pixels_per_metre is None:
        return min(20.0, (_MAX_SIDE_PX - 2 * _MARGIN_PX) / max(w.x_max - w.x_min, w.y_max - w.y_min))
    if not (math.isfinite(pixels_per_metre) and 0.5 <= pixels_per_metre <= 200.0):
        raise SimError(f"pixels_per_metre must be in [0.5, 200], got {pixels_per_metre!r}")
    return pixels_per_metre


def map_size_px(scenario: Scenario, pixels_per_metre: float | None = None) -> tuple[int, int]:
    """(width, height) in pixels of the picture of a scenario at this scale (None: fit 1400 px)."""
    ppm = _pixels_per_metre(scenario, pixels_per_metre)
    w = scenario.world
    return (
        math.ceil((w.x_max - w.x_min) * ppm) + 2 * _MARGIN_PX,
        math.ceil((w.y_max - w.y_min) * ppm) + 2 * _MARGIN_PX,
    )


def write_trajectory_png(
    path: str | Path,
    scenario: Scenario,
    trajectory: np.ndarray,
    collisions: Sequence[CollisionEvent] = (),
    title: str = "",
    pixels_per_metre: float | None = None,
) -> Path:
    """Draw the run over a top-down map of the world (north up) and write it as PNG.

    ``trajectory`` holds (x, y[, yaw]) rows in world metres. Returns the path written.
    """
    ppm = _pixels_per_metre(scenario, pixels_per_metre)
    width, height = map_size_px(scenario, ppm)
    world = scenario.world

    def px(x: float, y: float) -> tuple[int, int]:
        return (round(_MARGIN_PX + (x - world.x_min) * ppm), round(_MARGIN_PX + (world.y_max - y) * ppm))

    def pts(xy: np.ndarray) -> np.ndarray:
        return np.array([px(x, y) for x, y in xy], dtype=np.int32).reshape(-1, 1, 2)

    image = np.full((height, width, 3), 255, dtype=np.uint8)
    cv2.rectangle(image, px(world.x_min, world.y_max), px(world.x_max, world.y_min), _GROUND[world.ground], -1)
    grid = 10.0 if max(world.x_max - world.x_min, world.y_max - world.y_min) <= 400 else 50.0
    for gx in np.arange(math.ceil(world.x_min / grid) * grid, world.x_max + 1e-9, grid):
        cv2.line(image, px(gx, world.y_min), px(gx, world.y_max), _GRID, 1)
    for gy in np.arange(math.ceil(world.y_min / grid) * grid, world.y_max + 1e-9, grid):
        cv2.line(image, px(world.x_min, gy), px(world.x_max, gy), _GRID, 1)

    for boxes, colour in ((scenario.buildings, _BUILDING), (scenario.parked, _PARKED)):
        for box in boxes:
            cv2.fillPoly(image, [pts(_box_corners(box))], colour)
    for wall in scenario.walls:
        cv2.line(image, px(*wall.start), px(*wall.end), _WALL, max(2, round(wall.thickness * ppm)))
    for tree in scenario.trees:
        cv2.circle(image, px(*tree.position), max(2, round(tree.crown_radius * ppm)), _TREE, -1)
    for pole in scenario.poles:
        cv2.circle(image, px(*pole.position), max(2, round(pole.radius * ppm)), _POLE, -1)
    for person in scenario.pedestrians:
        walk = np.asarray(person.path + ((person.path[0],) if person.loop else ()))
        for (x0, y0), (x1, y1) in itertools.pairwise(walk):
            _dashed(image, px(x0, y0), px(x1, y1), _PEDESTRIAN)
        cv2.circle(image, px(*person.path[0]), max(3, round(person.radius * ppm)), _PEDESTRIAN, -1)

    for i, (x, y) in enumerate(scenario.waypoints_enu()):
        cv2.circle(image, px(x, y), max(3, round(scenario.mission.arrival_radius * ppm)), _WAYPOINT, 2, cv2.LINE_AA)
        cv2.drawMarker(image, px(x, y), _WAYPOINT, cv2.MARKER_CROSS, 10, 2)
        cv2.putText(
            image,
            str(i + 1),
            (px(x, y)[0] + 8, px(x, y)[1] - 8),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.6,
            _WAYPOINT,
            2,
            cv2.LINE_AA,
        )

    start = scenario.robot
    _arrow(image, px(start.x, start.y), math.radians(start.yaw_deg), _TEXT)
    xy = np.asarray(trajectory, dtype=np.float64)
    xy = xy[:, :2] if xy.size else np.zeros((0, 2))
    if len(xy) >= 2:
        cv2.polylines(image, [pts(xy)], False, _TRAJECTORY, 2, cv2.LINE_AA)
    if len(xy):
        cv2.circle(image, px(*xy[-1]), 5, _TRAJECTORY, -1)
    for event in collisions:
        cv2.drawMarker(image, px(event.x, event.y), _COLLISION, cv2.MARKER_TILTED_CROSS, 14, 2)

    label = title or f"{scenario.name} ({scenario.robot.name})"
    cv2.putText(image, label, (_MARGIN_PX, _MARGIN_PX - 14), cv2.FONT_HERSHEY_SIMPLEX, 0.6, _TEXT, 1, cv2.LINE_AA)
    bar = px(world.x_min, world.y_min)
    cv2.line(image, (bar[0], bar[1] + 20), (bar[0] + round(grid * ppm), bar[1] + 20), _TEXT, 2)
    cv2.putText(
        image,
        f"{grid:g} m",
        (bar[0] + round(grid * ppm) + 6, bar[1] + 25),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.5,
        _TEXT,
        1,
        cv2.LINE_AA,
    )

    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), image):
        raise SimError(f"cannot write the trajectory picture to {out}")
    return out


def _box_corners(box: Building) -> np.ndarray:
    yaw = math.radians(box.yaw_deg)
    c, s = math.cos(yaw), math.sin(yaw)
    hx, hy = box.size[0] / 2, box.size[1] / 2
    local = np.array([[hx, hy], [-hx, hy], [-hx, -hy], [hx, -hy]])
    return local @ np.array([[c, s], [-s, c]]) + box.center


def _dashed(
    image: np.ndarray, p0: tuple[int, int], p1: tuple[int, int], colour: tuple[int, int, int], dash_px: int = 8
) -> None:
    length = math.dist(p0, p1)
    for k in range(0, max(1, int(length // dash_px)), 2):
        a = k * dash_px / length if length else 0.0
        b = min(1.0, (k + 1) * dash_px / length) if length else 1.0
        cv2.line(
            image,
            (round(p0[0] + a * (p1[0] - p0[0])), round(p0[1] + a * (p1[1] - p0[1]))),
            (round(p0[0] + b * (p1[0] - p0[0])), round(p0[1] + b * (p1[1] - p0[1]))),
            colour,
            2,
            cv2.LINE_AA,
        )


def _arrow(image: np.ndarray, at: tuple[int, int], yaw: float, colour: tuple[int, int, int]) -> None:
    tip = (round(at[0] + 18 * math.cos(yaw)), round(at[1] - 18 * math.sin(yaw)))
    cv2.arrowedLine(image, at, tip, colour, 2, cv2.LINE_AA, tipLength=0.4)
