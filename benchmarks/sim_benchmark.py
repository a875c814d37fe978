"""Simulator core speed: real-time factor with camera and LiDAR on, ray-cast points per second, ms per frame.

Runs the default scenario's mission loop (waypoint driver at 50 Hz, GPS at its rate, IMU
at 100 Hz, odometry at 50 Hz) for a stretch of sim time in several sensor set-ups and
prints one table. The baseline row has camera and LiDAR off; "x base" is each set-up's
wall time per sim second relative to it. The ROS node adds message conversion and
publishing on top of these figures.

    python benchmarks/sim_benchmark.py [--scenario open_field] [--sim-seconds 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import time
from dataclasses import dataclass

import cv2
import numpy as np

from anynav.msgs.geometry import yaw_from_quaternion
from anynav.sim import gl
from anynav.sim.driver import WaypointDriver
from anynav.sim.scenario import Scenario, find_scenario, load_scenario
from anynav.sim.schedule import RateGate
from anynav.sim.world import SimWorld

CONTROL_DT = 0.02
IMU_RATE_HZ = 100.0
ODOM_RATE_HZ = 50.0


@dataclass(frozen=True)
class Setup:
    """One benchmarked sensor set-up."""

    label: str
    camera: tuple[int, int] | None  # (width, height) at 5 Hz, or off
    lidar: str | None  # pattern at 10 Hz, or off


@dataclass
class Result:
    setup: Setup
    sim_s: float
    wall_s: float
    frame_ms: list[float]
    jpeg_ms: list[float]
    lidar_ms: list[float]
    points: int
    rays: int

    @property
    def rtf(self) -> float:
        return self.sim_s / self.wall_s


def configure(scenario: Scenario, setup: Setup) -> Scenario:
    """The scenario with the set-up's camera (5 Hz) and LiDAR (10 Hz) settings."""
    sensors = scenario.sensors
    camera = dataclasses.replace(sensors.camera, enabled=setup.camera is not None, rate_hz=5.0)
    if setup.camera is not None:
        camera = dataclasses.replace(camera, width=setup.camera[0], height=setup.camera[1])
    lidar = dataclasses.replace(sensors.lidar, enabled=setup.lidar is not None, rate_hz=10.0, points_per_sweep=20000)
    if setup.lidar is not None:
        lidar = dataclasses.replace(lidar, pattern=setup.lidar)
    return dataclasses.replace(scenario, sensors=dataclasses.replace(sensors, camera=camera, lidar=lidar))


def run(scenario: Scenario, setup: Setup, sim_seconds: float) -> Result:
    """Drive the mission for ``sim_seconds`` reading every sensor at its rate; time it all."""
    scenario = configure(scenario, setup)
    mission = scenario.mission
    driver = WaypointDriver(
        [(w.latitude, w.longitude) for w in mission.waypoints], scenario.datum, mission.arrival_radius
    )
    gates = {
        "gps": RateGate(scenario.sensors.gps.rate_hz),
        "imu": RateGate(IMU_RATE_HZ),
        "odom": RateGate(ODOM_RATE_HZ),
        "camera": RateGate(scenario.sensors.camera.rate_hz),
        "lidar": RateGate(scenario.sensors.lidar.rate_hz),
    }
    frame_ms: list[float] = []
    jpeg_ms: list[float] = []
    lidar_ms: list[float] = []
    points = rays = 0
    with SimWorld(scenario) as world:
        if setup.camera is not None:
            world.render_rgb()  # GL context warm-up, not counted
        start = time.perf_counter()
        while world.time < sim_seconds - 1e-9:
            now = world.time
            if gates["gps"].due(now):
                fix = world.read_gps()
                if fix is not None:
                    driver.on_gps(fix, now)
            if gates["imu"].due(now):
                world.read_imu()
            if gates["odom"].due(now):
                world.read_odometry()
            if setup.camera is not None and gates["camera"].due(now):
                t0 = time.perf_counter()
                image = world.render_rgb()
                t1 = time.perf_counter()
                cv2.imencode(".jpg", image[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
                frame_ms.append((t1 - t0) * 1e3)
                jpeg_ms.append((time.perf_counter() - t1) * 1e3)
            if setup.lidar is not None and gates["lidar"].due(now):
                t0 = time.perf_counter()
                cloud = world.scan_lidar()
                lidar_ms.append((time.perf_counter() - t0) * 1e3)
                points += len(cloud)
                rays += scenario.sensors.lidar.points_per_sweep
            yaw = yaw_from_quaternion(world.read_imu().orientation)
            world.step(*driver.command(now, yaw), CONTROL_DT)
        wall = time.perf_counter() - start
    return Result(setup, world.time, wall, frame_ms, jpeg_ms, lidar_ms, points, rays)


def pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.1f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="open_field", help="scenario name or YAML path (default open_field)")
    parser.add_argument("--sim-seconds", type=float, default=20.0, help="sim time per set-up (default 20)")
    args = parser.parse_args()
    scenario = load_scenario(find_scenario(args.scenario))
    setups = [
        Setup("baseline: GPS+IMU+odom only", None, None),
        Setup("LiDAR L1 10 Hz", None, "l1"),
        Setup("LiDAR Mid-360 10 Hz", None, "mid360"),
        Setup("camera 224x224 5 Hz + L1 10 Hz", (224, 224), "l1"),
        Setup("camera 224x224 5 Hz + Mid-360 10 Hz", (224, 224), "mid360"),
        Setup("camera 640x480 5 Hz + L1 10 Hz", (640, 480), "l1"),
    ]
    results = [run(scenario, s, args.sim_seconds) for s in setups]
    base = results[0].wall_s / results[0].sim_s
    print(
        f"anynav sim benchmark  scenario={scenario.name} robot={scenario.robot.name} "
        f"sim={args.sim_seconds:g} s per row  "
        f"MUJOCO_GL={gl.MUJOCO_GL}  {platform.processor() or platform.machine()} x{os.cpu_count()}  "
        f"{time.strftime('%Y-%m-%d')}"
    )
    header = (
        f"{'set-up':<38} {'RTF':>6} {'x base':>7} {'frame p50/p99 ms':>17} {'jpeg p50 ms':>11} "
        f"{'lidar p50/p99 ms':>17} {'pts/sweep':>9} {'rays/s cast':>11} {'pts/s cast':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        frames = f"{pct(r.frame_ms, 50)}/{pct(r.frame_ms, 99)}" if r.frame_ms else "-"
        lidar = f"{pct(r.lidar_ms, 50)}/{pct(r.lidar_ms, 99)}" if r.lidar_ms else "-"
        sweeps = len(r.lidar_ms)
        per_sweep = f"{r.points / sweeps:.0f}" if sweeps else "-"
        cast_s = sum(r.lidar_ms) / 1e3
        rays_per_s = f"{r.rays / cast_s:.3g}" if sweeps else "-"
        points_per_s = f"{r.points / cast_s:.3g}" if sweeps else "-"
        print(
            f"{r.setup.label:<38} {r.rtf:6.2f} {(r.wall_s / r.sim_s) / base:7.1f} {frames:>17} "
            f"{pct(r.jpeg_ms, 50):>11} {lidar:>17} {per_sweep:>9} {rays_per_s:>11} {points_per_s:>10}"
        )
    target = results[3]
    verdict = "meets" if target.rtf >= 1.0 else "MISSES"
    print(f"\ntarget (camera 224x224 5 Hz + LiDAR 10 Hz, RTF >= 1): {verdict} it at RTF {target.rtf:.2f}")


if __name__ == "__main__":
    main()
