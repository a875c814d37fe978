"""Runs a scenario's GPS mission in the pure core loop (no ROS): world, sensors at their rates, driver, score."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from anynav.msgs.geometry import yaw_from_quaternion
from anynav.sim.driver import DriverConfig, WaypointDriver
from anynav.sim.scenario import Scenario
from anynav.sim.schedule import RateGate
from anynav.sim.summary import MissionSummary, MissionTracker
from anynav.sim.world import SimWorld

__all__ = ["MissionResult", "run_mission"]

#: Trajectory samples per second of sim time kept for the picture.
_TRAJECTORY_RATE_HZ = 10.0


@dataclass(frozen=True)
class MissionResult:
    """A finished run: its score and the true trajectory (N x 3: x, y, yaw at 10 Hz)."""

    summary: MissionSummary
    trajectory: np.ndarray


def run_mission(
    scenario: Scenario, driver_config: DriverConfig | None = None, control_dt: float = 0.02
) -> MissionResult:
    """Drive the scenario's mission with the built-in waypoint driver until done or timed out.

    The driver sees what a robot would: GPS fixes at the GPS rate (with noise and
    dropouts) and the IMU heading at the control rate. The camera and LiDAR are not
    simulated here since the driver does not use them.
    """
    sensors = dataclasses.replace(
        scenario.sensors,
        camera=dataclasses.replace(scenario.sensors.camera, enabled=False),
        lidar=dataclasses.replace(scenario.sensors.lidar, enabled=False),
    )
    quiet = dataclasses.replace(scenario, sensors=sensors)
    mission = scenario.mission
    driver = WaypointDriver(
        [(w.latitude, w.longitude) for w in mission.waypoints], scenario.datum, mission.arrival_radius, driver_config
    )
    tracker = MissionTracker(scenario)
    gps_gate = RateGate(scenario.sensors.gps.rate_hz)
    trajectory_gate = RateGate(_TRAJECTORY_RATE_HZ)
    trajectory: list[tuple[float, float, float]] = []
    with SimWorld(quiet) as world:
        while world.time < mission.timeout_s and not driver.done:
            now = world.time
            if trajectory_gate.due(now):
                pose = world.pose()
                trajectory.append((pose.x, pose.y, pose.yaw))
            if gps_gate.due(now):
                fix = world.read_gps()
                if fix is not None:
                    driver.on_gps(fix, now)
            yaw = yaw_from_quaternion(world.read_imu().orientation)
            events = world.step(*driver.command(now, yaw), control_dt)
            tracker.update(world.time, world.pose(), events, world.clearance)
        pose = world.pose()
        trajectory.append((pose.x, pose.y, pose.yaw))
    return MissionResult(tracker.summary(), np.asarray(trajectory, dtype=np.float64))
