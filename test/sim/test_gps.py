"""GPS: fixes go through the datum exactly; noise, status and dropouts behave as configured."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyproj

from anynav.sim.scenario import Scenario
from anynav.sim.world import SimWorld

GEOD = pyproj.Geod(ellps="WGS84")


def test_robot_10_m_east_reads_the_latlon_10_m_east_of_the_datum(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(robot={"x": 10.0, "y": 0.0})
    with SimWorld(scenario) as world:
        fix = world.read_gps()
    assert fix is not None
    antenna_east = 10.0 + scenario.robot.spec.gps_mount.xyz[0]  # heading east: mount x adds to east
    datum = scenario.datum
    lon, lat, _ = GEOD.fwd(datum.longitude, datum.latitude, 90.0, antenna_east)
    _, _, distance = GEOD.inv(lon, lat, fix.longitude, fix.latitude)
    assert distance < 0.01
    assert fix.status == 0


def test_fix_follows_the_driven_robot(make_scenario: Callable[..., Scenario]) -> None:
    """Drive north-east; the fix's bearing and distance from the datum match the true antenna."""
    scenario = make_scenario(robot={"yaw_deg": 45.0})
    with SimWorld(scenario) as world:
        for _ in range(100):
            world.step(1.0, 0.0, 0.0, 0.05)
        fix = world.read_gps()
        pose = world.pose()
    assert fix is not None and math.hypot(pose.x, pose.y) > 3.0
    mx, my, _ = scenario.robot.spec.gps_mount.xyz
    east = pose.x + mx * math.cos(pose.yaw) - my * math.sin(pose.yaw)
    north = pose.y + mx * math.sin(pose.yaw) + my * math.cos(pose.yaw)
    azimuth, _, distance = GEOD.inv(scenario.datum.longitude, scenario.datum.latitude, fix.longitude, fix.latitude)
    assert abs(distance - math.hypot(east, north)) < 0.01
    assert abs(math.remainder(math.radians(azimuth) - math.atan2(east, north), 2 * math.pi)) < 1e-3


def test_noise_status_and_covariance_follow_the_config(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(
        sensors={"gps": {"horizontal_noise_std": 2.0, "vertical_noise_std": 3.0, "fix_status": "gbas_fix"}}
    )
    with SimWorld(scenario) as world:
        fixes = [world.read_gps() for _ in range(400)]
    assert all(f is not None and f.status == 2 for f in fixes)
    assert fixes[0].position_covariance == (4.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 9.0)
    _, _, distances = GEOD.inv(
        [scenario.datum.longitude] * 400,
        [scenario.datum.latitude] * 400,
        [f.longitude for f in fixes],
        [f.latitude for f in fixes],
    )
    # 2-D error of N(0, 2^2) per axis: RMS distance is 2 * sqrt(2) = 2.83 m (antenna offset 0.1 m aside).
    assert 2.4 < float(np.sqrt(np.mean(np.square(distances)))) < 3.3


def test_dropouts_are_seeded_and_at_the_configured_rate(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(sensors={"gps": {"dropout_probability": 0.3}})
    runs = []
    for _ in range(2):
        with SimWorld(scenario) as world:
            runs.append([world.read_gps() is None for _ in range(1000)])
    assert runs[0] == runs[1]
    assert 0.25 < np.mean(runs[0]) < 0.35
