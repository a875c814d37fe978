"""Values passed to and returned by the policy runtime: frames, goals and plans (REP-103 base_link)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from anynav.policy.errors import PolicyInputError


class Frame(NamedTuple):
    """One camera image and its header stamp; the stamp is the embedding cache key."""

    stamp_ns: int
    image: np.ndarray  # H x W x 3 uint8 RGB


@dataclass(frozen=True)
class Goal:
    """The goal in base_link at the newest frame: x forward, y left (metres), yaw CCW (radians).

    LogoNav uses all three; CityWalker only x and y. A GPS waypoint without a heading can take the
    bearing to it as yaw.
    """

    x: float
    y: float
    yaw: float = 0.0

    def __post_init__(self) -> None:
        for name in ("x", "y", "yaw"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise PolicyInputError(f"Goal.{name}={value!r}: expected a finite number")


@dataclass(frozen=True)
class Plan:
    """Waypoints from one policy tick, in base_link at the newest frame's stamp.

    Attributes:
        stamp_ns: stamp of the newest frame: the instant and frame the waypoints are expressed in.
        waypoints: [K, 2] x forward, y left, metres, cumulative from the robot.
        yaws: [K] heading at each waypoint, radians CCW (LogoNav); None when the model has none.
        arrival_probability: the model's belief the goal is reached (CityWalker); None otherwise.
        waypoint_dt_s: time between waypoints the model was trained with.
        frames_encoded: frames this tick ran through the encoder (the rest came from the cache).
    """

    stamp_ns: int
    waypoints: np.ndarray
    yaws: np.ndarray | None
    arrival_probability: float | None
    waypoint_dt_s: float
    frames_encoded: int
