"""The simulated robots: footprint, mass, speed and acceleration limits and sensor mounts.

The simulator drives a planar base, not the legs, so a robot here is what a navigation
stack sees of it: a body box that can collide, the velocities it tracks, how fast it can
change them, and where its camera and LiDAR sit.

Where the numbers come from:

- Forward speed and yaw rate: the NaVILA/legged-loco locomotion policies were trained
  with vx in [0, 1] m/s and wz in [-1, 1] rad/s (shared/reference/navila.md section 4),
  so the legged robots track at most 1.0 m/s and 1.0 rad/s; the navigation policies
  (LogoNav <= 0.5 m/s, CityWalker deployments 0.2-0.3 m/s) sit well inside.
- Backward and lateral speed: inside the Go1 SDK trot ranges (vx -1.1..1.5, vy +-1.0,
  shared/reference/deploy_anchors.md section 2.2); kept small because the learned
  policies never trained on them.
- Body sizes and masses: the makers' published spec sheets (Go1 0.645 x 0.28 m, 12 kg;
  Go2 0.70 x 0.31 m, 15 kg; H1 1.8 m tall, 47 kg; T1 1.18 m tall, 30 kg); humanoid
  footprints are the shoulder-width box around the standing robot.
- Accelerations: not published; 1.0 m/s^2 and 2.0 rad/s^2 for the quadrupeds and the
  wheeled base, half that for the humanoids (a walking biped changes speed over a few
  steps). These are simulator assumptions, tune them against a real log.
- Sensor mounts: Go2 carries the Unitree L1 LiDAR under its chin and the camera in its
  nose; H1 carries a Livox Mid-360 on its head; Go1, T1 and the wheeled base get a
  Mid-360 on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from anynav.sim.validation import require as _require

__all__ = ["ROBOTS", "Limits", "Mount", "RobotSpec"]

LidarPattern = Literal["l1", "mid360"]


@dataclass(frozen=True)
class Mount:
    """Where a sensor sits on the robot, relative to base_link (x forward, y left, z up).

    Attributes:
        xyz: position in metres.
        rpy_deg: roll, pitch, yaw in degrees (pitch > 0 tilts the sensor down, as in REP-103).
    """

    xyz: tuple[float, float, float] = (0.0, 0.0, 0.0)
    rpy_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        _require(all(abs(v) <= 5.0 for v in self.xyz), "xyz", "within 5 m of base_link", self.xyz)
        _require(all(abs(v) <= 180.0 for v in self.rpy_deg), "rpy_deg", "within [-180, 180] degrees", self.rpy_deg)


@dataclass(frozen=True)
class Limits:
    """Velocity and acceleration limits the simulated base enforces on every command.

    Attributes:
        max_vx: forward speed limit, m/s.
        min_vx: backward speed limit, m/s (<= 0).
        max_vy: lateral speed limit, m/s (0 for a non-holonomic base).
        max_wz: yaw rate limit, rad/s.
        max_accel: linear acceleration limit, m/s^2 (applies to vx and vy).
        max_yaw_accel: yaw acceleration limit, rad/s^2.
    """

    max_vx: float
    min_vx: float
    max_vy: float
    max_wz: float
    max_accel: float
    max_yaw_accel: float

    def __post_init__(self) -> None:
        _require(0.0 < self.max_vx <= 5.0, "max_vx", "in (0, 5] m/s", self.max_vx)
        _require(-5.0 <= self.min_vx <= 0.0, "min_vx", "in [-5, 0] m/s", self.min_vx)
        _require(0.0 <= self.max_vy <= 5.0, "max_vy", "in [0, 5] m/s", self.max_vy)
        _require(0.0 < self.max_wz <= 10.0, "max_wz", "in (0, 10] rad/s", self.max_wz)
        _require(0.0 < self.max_accel <= 20.0, "max_accel", "in (0, 20] m/s^2", self.max_accel)
        _require(0.0 < self.max_yaw_accel <= 50.0, "max_yaw_accel", "in (0, 50] rad/s^2", self.max_yaw_accel)


@dataclass(frozen=True)
class RobotSpec:
    """One simulated robot.

    Attributes:
        name: the robot name a scenario uses (go1, go2, h1, t1, wheeled).
        length: footprint along x, metres.
        width: footprint along y, metres.
        body_bottom: lowest point of the collision box above ground (legs below it step
            over curbs), metres.
        body_top: highest point of the robot above ground, metres.
        base_height: height of base_link above ground, metres.
        mass: kg, sets how hard the base pushes against what it touches.
        limits: what the base tracks, see :class:`Limits`.
        camera_mount: forward camera pose on the robot.
        lidar_pattern: "l1" (Unitree 4D LiDAR L1, downward hemisphere) or "mid360" (Livox).
        lidar_mount: LiDAR pose on the robot.
        gps_mount: GPS antenna position on the robot.
    """

    name: str
    length: float
    width: float
    body_bottom: float
    body_top: float
    base_height: float
    mass: float
    limits: Limits
    camera_mount: Mount
    lidar_pattern: LidarPattern
    lidar_mount: Mount
    gps_mount: Mount

    def __post_init__(self) -> None:
        _require(0.05 <= self.length <= 3.0, "length", "in [0.05, 3] m", self.length)
        _require(0.05 <= self.width <= 3.0, "width", "in [0.05, 3] m", self.width)
        _require(
            0.0 <= self.body_bottom < self.body_top,
            "body_bottom",
            f"in [0, body_top={self.body_top})",
            self.body_bottom,
        )
        _require(self.body_top <= 3.0, "body_top", "at most 3 m", self.body_top)
        _require(
            self.body_bottom <= self.base_height <= self.body_top,
            "base_height",
            f"within the body [{self.body_bottom}, {self.body_top}] m",
            self.base_height,
        )
        _require(0.5 <= self.mass <= 500.0, "mass", "in [0.5, 500] kg", self.mass)

    @property
    def yaw_inertia(self) -> float:
        """Moment of inertia about z of a uniform box of the footprint, kg m^2."""
        return self.mass * (self.length**2 + self.width**2) / 12.0

    @property
    def circumradius(self) -> float:
        """Half-diagonal of the footprint: no part of the body is farther from base_link in xy."""
        return 0.5 * math.hypot(self.length, self.width)


_QUADRUPED_LIMITS = Limits(max_vx=1.0, min_vx=-0.5, max_vy=0.3, max_wz=1.0, max_accel=1.0, max_yaw_accel=2.0)
_HUMANOID_LIMITS = Limits(max_vx=1.0, min_vx=-0.3, max_vy=0.2, max_wz=1.0, max_accel=0.5, max_yaw_accel=1.0)

ROBOTS: dict[str, RobotSpec] = {
    "go1": RobotSpec(
        name="go1",
        length=0.645,
        width=0.28,
        body_bottom=0.05,
        body_top=0.40,
        base_height=0.28,
        mass=12.0,
        limits=_QUADRUPED_LIMITS,
        camera_mount=Mount(xyz=(0.29, 0.0, 0.04)),
        lidar_pattern="mid360",
        lidar_mount=Mount(xyz=(0.05, 0.0, 0.12)),
        gps_mount=Mount(xyz=(-0.10, 0.0, 0.12)),
    ),
    "go2": RobotSpec(
        name="go2",
        length=0.70,
        width=0.31,
        body_bottom=0.05,
        body_top=0.40,
        base_height=0.30,
        mass=15.0,
        limits=_QUADRUPED_LIMITS,
        camera_mount=Mount(xyz=(0.32, 0.0, 0.04)),
        lidar_pattern="l1",
        lidar_mount=Mount(xyz=(0.28, 0.0, -0.05)),
        gps_mount=Mount(xyz=(-0.10, 0.0, 0.10)),
    ),
    "h1": RobotSpec(
        name="h1",
        length=0.35,
        width=0.60,
        body_bottom=0.05,
        body_top=1.80,
        base_height=1.00,
        mass=47.0,
        limits=_HUMANOID_LIMITS,
        camera_mount=Mount(xyz=(0.10, 0.0, 0.62), rpy_deg=(0.0, 10.0, 0.0)),
        lidar_pattern="mid360",
        lidar_mount=Mount(xyz=(0.0, 0.0, 0.75)),
        gps_mount=Mount(xyz=(-0.10, 0.0, 0.50)),
    ),
    "t1": RobotSpec(
        name="t1",
        length=0.30,
        width=0.45,
        body_bottom=0.05,
        body_top=1.18,
        base_height=0.65,
        mass=30.0,
        limits=Limits(max_vx=0.8, min_vx=-0.3, max_vy=0.2, max_wz=1.0, max_accel=0.5, max_yaw_accel=1.0),
        camera_mount=Mount(xyz=(0.08, 0.0, 0.43), rpy_deg=(0.0, 10.0, 0.0)),
        lidar_pattern="mid360",
        lidar_mount=Mount(xyz=(0.0, 0.0, 0.52)),
        gps_mount=Mount(xyz=(-0.08, 0.0, 0.35)),
    ),
    "wheeled": RobotSpec(
        name="wheeled",
        length=0.60,
        width=0.50,
        body_bottom=0.03,
        body_top=0.45,
        base_height=0.20,
        mass=25.0,
        limits=Limits(max_vx=1.0, min_vx=-0.5, max_vy=0.0, max_wz=1.5, max_accel=1.0, max_yaw_accel=2.0),
        camera_mount=Mount(xyz=(0.28, 0.0, 0.20)),
        lidar_pattern="mid360",
        lidar_mount=Mount(xyz=(0.0, 0.0, 0.28)),
        gps_mount=Mount(xyz=(-0.15, 0.0, 0.25)),
    ),
}
