"""MuJoCo simulator core: scenarios, the world and its sensors, a waypoint driver, run scoring, mission status.

Nothing here imports a ROS backend; the sim node wraps :class:`SimWorld`. Names are
loaded on first use, so reading a scenario file does not start MuJoCo or probe OpenGL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anynav.sim.command import CommandHold
    from anynav.sim.driver import DriverConfig, WaypointDriver
    from anynav.sim.errors import (
        RenderBackendError,
        ScenarioError,
        SimError,
        SimNodeConfigError,
        StatusError,
        StepError,
    )
    from anynav.sim.geodesy import Datum, LocalTangentPlane
    from anynav.sim.pacing import Pacer, check_sensor_rates
    from anynav.sim.picture import map_size_px, write_trajectory_png
    from anynav.sim.robots import ROBOTS, RobotSpec
    from anynav.sim.runner import MissionResult, run_mission
    from anynav.sim.scenario import (
        Scenario,
        find_scenario,
        load_scenario,
        scenario_from_dict,
    )
    from anynav.sim.schedule import RateGate
    from anynav.sim.sensors import GpsFix, ImuSample, OdometrySample
    from anynav.sim.status import MissionMonitor, MissionStatus
    from anynav.sim.summary import MissionSummary, MissionTracker
    from anynav.sim.world import (
        CameraIntrinsics,
        CollisionEvent,
        FrameTransform,
        Pose2D,
        SimWorld,
    )

_EXPORTS = {
    "command": ("CommandHold",),
    "driver": ("DriverConfig", "WaypointDriver"),
    "errors": ("RenderBackendError", "ScenarioError", "SimError", "SimNodeConfigError", "StatusError", "StepError"),
    "geodesy": ("Datum", "LocalTangentPlane"),
    "pacing": ("Pacer", "check_sensor_rates"),
    "picture": ("map_size_px", "write_trajectory_png"),
    "robots": ("ROBOTS", "RobotSpec"),
    "runner": ("MissionResult", "run_mission"),
    "scenario": ("Scenario", "find_scenario", "load_scenario", "scenario_from_dict"),
    "schedule": ("RateGate",),
    "sensors": ("GpsFix", "ImuSample", "OdometrySample"),
    "status": ("MissionMonitor", "MissionStatus"),
    "summary": ("MissionSummary", "MissionTracker"),
    "world": ("CameraIntrinsics", "CollisionEvent", "FrameTransform", "Pose2D", "SimWorld"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "ROBOTS",
    "CameraIntrinsics",
    "CollisionEvent",
    "CommandHold",
    "Datum",
    "DriverConfig",
    "FrameTransform",
    "GpsFix",
    "ImuSample",
    "LocalTangentPlane",
    "MissionMonitor",
    "MissionResult",
    "MissionStatus",
    "MissionSummary",
    "MissionTracker",
    "OdometrySample",
    "Pacer",
    "Pose2D",
    "RateGate",
    "RenderBackendError",
    "RobotSpec",
    "Scenario",
    "ScenarioError",
    "SimError",
    "SimNodeConfigError",
    "SimWorld",
    "StatusError",
    "StepError",
    "WaypointDriver",
    "check_sensor_rates",
    "find_scenario",
    "load_scenario",
    "map_size_px",
    "run_mission",
    "scenario_from_dict",
    "write_trajectory_png",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'anynav.sim' has no attribute {name!r}")
    return getattr(importlib.import_module(f"anynav.sim.{_MODULE_OF[name]}"), name)
