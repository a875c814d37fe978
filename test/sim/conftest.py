"""Small scenarios shared by the simulator tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from anynav.sim.scenario import Scenario, scenario_from_dict

#: A 40 m x 40 m empty field around a datum in Zurich; tests add what they need.
BASE: dict[str, Any] = {
    "name": "test",
    "world": {"x_min": -20.0, "x_max": 20.0, "y_min": -20.0, "y_max": 20.0},
    "datum": {"latitude": 47.4, "longitude": 8.54, "altitude": 450.0},
    "robot": {"name": "go2"},
    "mission": {"waypoints": [{"latitude": 47.40005, "longitude": 8.54}]},
    "sensors": {
        "camera": {"enabled": False},
        "gps": {"horizontal_noise_std": 0.0, "vertical_noise_std": 0.0},
        "imu": {"gyro_noise_std": 0.0, "accel_noise_std": 0.0, "yaw_noise_std_deg": 0.0},
        "odometry": {"scale_error": 0.0, "yaw_rate_bias": 0.0, "velocity_noise_std": 0.0},
    },
}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` merged in, nested mappings merged key by key."""
    out = copy.deepcopy(base)
    for key, value in extra.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@pytest.fixture
def scenario_data() -> Callable[..., dict[str, Any]]:
    """The test scenario as a YAML-like dict, overriding any part: scenario_data(robot={"x": 3})."""

    def data(**extra: Any) -> dict[str, Any]:
        return merge(BASE, extra)

    return data


@pytest.fixture
def make_scenario(scenario_data: Callable[..., dict[str, Any]]) -> Callable[..., Scenario]:
    """Build a noise-free test scenario, overriding any part of it: make_scenario(robot={"x": 3})."""

    def make(**extra: Any) -> Scenario:
        return scenario_from_dict(scenario_data(**extra), source="test.yaml")

    return make
