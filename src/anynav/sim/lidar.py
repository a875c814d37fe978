"""LiDAR scan patterns (Unitree L1-like, Livox Mid-360-like) and ray casting with mujoco.mj_multiRay."""

from __future__ import annotations

import math

import numpy as np

from anynav.sim.gl import mujoco
from anynav.sim.robots import LidarPattern

__all__ = ["FRAME_IDS", "PATTERN_ELEVATION_DEG", "cast_rays", "scan_directions"]

#: Elevation band of each pattern in the sensor frame, degrees above the sensor's xy plane.
#: L1: the Unitree 4D LiDAR L1 looks down over a hemisphere. Mid-360: Livox datasheet,
#: 360 degrees around and -7..52 degrees vertically.
PATTERN_ELEVATION_DEG: dict[str, tuple[float, float]] = {"l1": (-90.0, 0.0), "mid360": (-7.0, 52.0)}

#: Frame id of each pattern's point cloud, as the vendors' ROS drivers name it.
FRAME_IDS: dict[str, str] = {"l1": "utlidar_lidar", "mid360": "livox_frame"}

# R2 low-discrepancy sequence (Roberts 2018): even coverage for any number of rays, and a
# new set of directions every sweep, like the non-repetitive scanning of both sensors.
_PLASTIC = 1.32471795724474602596
_ALPHA = np.array([1.0 / _PLASTIC, 1.0 / _PLASTIC**2])


def scan_directions(pattern: LidarPattern, count: int, sweep: int) -> np.ndarray:
    """Unit ray directions (count x 3, sensor frame: x forward, y left, z up) of one sweep.

    Directions are spread evenly over the solid angle of the pattern's elevation band
    (uniform in azimuth and in sin(elevation)); sweep k continues the sequence where sweep
    k-1 stopped, so successive sweeps fill in between each other's rays.
    """
    low, high = (math.radians(v) for v in PATTERN_ELEVATION_DEG[pattern])
    index = np.arange(sweep * count, (sweep + 1) * count, dtype=np.float64)
    u = np.mod(0.5 + np.outer(index, _ALPHA), 1.0)
    azimuth = 2.0 * np.pi * u[:, 0]
    sin_el = math.sin(low) + (math.sin(high) - math.sin(low)) * u[:, 1]
    cos_el = np.sqrt(np.clip(1.0 - sin_el**2, 0.0, None))
    return np.column_stack((cos_el * np.cos(azimuth), cos_el * np.sin(azimuth), sin_el))


def cast_rays(
    model: mujoco.MjModel,
    data: mujoco.MjData,
    origin: np.ndarray,
    rotation: np.ndarray,
    directions: np.ndarray,
    min_range: float,
    max_range: float,
    exclude_group: int,
    exclude_body: int,
) -> np.ndarray:
    """Points (N x 3 float32, sensor frame) where rays from ``origin`` hit the world.

    ``rotation`` is the sensor's world rotation (3x3) and ``directions`` unit rays in the
    sensor frame. Geoms in ``exclude_group`` and in body ``exclude_body`` (the robot itself)
    are invisible to the rays; rays with no hit, or a hit outside [min_range, max_range],
    are dropped, as a real LiDAR drops them.
    """
    count = len(directions)
    world_dirs = np.ascontiguousarray(directions @ rotation.T).ravel()
    groups = np.ones(6, dtype=np.uint8)
    groups[exclude_group] = 0
    geom_ids = np.empty(count, dtype=np.int32)
    dist = np.empty(count, dtype=np.float64)
    mujoco.mj_multiRay(
        model,
        data,
        np.asarray(origin, dtype=np.float64),
        world_dirs,
        groups,
        1,
        exclude_body,
        geom_ids,
        dist,
        None,
        count,
        max_range,
    )
    hit = (geom_ids >= 0) & (dist >= min_range) & (dist <= max_range)
    return (directions[hit] * dist[hit, None]).astype(np.float32)
