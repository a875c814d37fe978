"""Noise models of the GPS, IMU and odometry: true robot state in, what the sensor reports out."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anynav.sim.geodesy import LocalTangentPlane
from anynav.sim.scenario import GpsConfig, ImuConfig, OdometryConfig

__all__ = [
    "NAVSAT_STATUS",
    "GpsFix",
    "GpsModel",
    "ImuModel",
    "ImuSample",
    "OdometryModel",
    "OdometrySample",
    "yaw_quaternion",
]

#: sensor_msgs/NavSatStatus.status values of the configurable fix statuses.
NAVSAT_STATUS = {"no_fix": -1, "fix": 0, "sbas_fix": 1, "gbas_fix": 2}


def yaw_quaternion(yaw: float) -> tuple[float, float, float, float]:
    """Quaternion (x, y, z, w), ROS order, of a rotation by ``yaw`` about z."""
    return (0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0))


@dataclass(frozen=True)
class GpsFix:
    """One GPS fix, laid out like sensor_msgs/NavSatFix.

    Attributes:
        latitude, longitude: WGS84 degrees.
        altitude: metres above the WGS84 ellipsoid.
        status: NavSatStatus.status (-1 no fix, 0 fix, 1 SBAS, 2 GBAS/RTK).
        position_covariance: row-major 3x3 ENU covariance, m^2 (diagonal, known).
    """

    latitude: float
    longitude: float
    altitude: float
    status: int
    position_covariance: tuple[float, ...]


class GpsModel:
    """A receiver at a fixed antenna position: white ENU noise, fix status, random dropouts."""

    def __init__(self, config: GpsConfig, plane: LocalTangentPlane, rng: np.random.Generator) -> None:
        self.config = config
        self._plane = plane
        self._rng = rng
        h2, v2 = config.horizontal_noise_std**2, config.vertical_noise_std**2
        self._covariance = (h2, 0.0, 0.0, 0.0, h2, 0.0, 0.0, 0.0, v2)

    def sample(self, east: float, north: float, up: float) -> GpsFix | None:
        """The fix for a true antenna position in world metres, or None when it drops out."""
        cfg = self.config
        if cfg.dropout_probability > 0.0 and self._rng.random() < cfg.dropout_probability:
            return None
        noise = self._rng.normal(0.0, 1.0, 3) * (
            cfg.horizontal_noise_std,
            cfg.horizontal_noise_std,
            cfg.vertical_noise_std,
        )
        lat, lon, alt = self._plane.to_geodetic(east + noise[0], north + noise[1], up + noise[2])
        return GpsFix(float(lat), float(lon), float(alt), NAVSAT_STATUS[cfg.fix_status], self._covariance)


@dataclass(frozen=True)
class ImuSample:
    """One IMU reading in imu_link (aligned with base_link), laid out like sensor_msgs/Imu.

    Attributes:
        orientation: quaternion (x, y, z, w) of the body in ENU (yaw 0 = facing east).
        angular_velocity: rad/s, body frame.
        linear_acceleration: specific force, m/s^2, body frame: a level robot at rest
            reads (0, 0, +9.81), as a real accelerometer does.
        orientation_variance, angular_velocity_variance, linear_acceleration_variance:
            per-axis variances for the message covariances.
    """

    orientation: tuple[float, float, float, float]
    angular_velocity: tuple[float, float, float]
    linear_acceleration: tuple[float, float, float]
    orientation_variance: float
    angular_velocity_variance: float
    linear_acceleration_variance: float


class ImuModel:
    """An IMU on a level planar body: heading with noise, gyro and accelerometer white noise."""

    def __init__(self, config: ImuConfig, gravity: float, rng: np.random.Generator) -> None:
        self.config = config
        self._gravity = gravity
        self._rng = rng

    def sample(self, yaw: float, yaw_rate: float, accel_body_xy: tuple[float, float]) -> ImuSample:
        """Reading for the true heading (rad, ENU), yaw rate and planar body-frame acceleration."""
        cfg = self.config
        yaw_noise = math.radians(cfg.yaw_noise_std_deg)
        gyro = self._rng.normal(0.0, cfg.gyro_noise_std, 3) + (0.0, 0.0, yaw_rate)
        accel = self._rng.normal(0.0, cfg.accel_noise_std, 3) + (accel_body_xy[0], accel_body_xy[1], self._gravity)
        measured_yaw = yaw + float(self._rng.normal(0.0, yaw_noise)) if yaw_noise > 0.0 else yaw
        return ImuSample(
            orientation=yaw_quaternion(measured_yaw),
            angular_velocity=(float(gyro[0]), float(gyro[1]), float(gyro[2])),
            linear_acceleration=(float(accel[0]), float(accel[1]), float(accel[2])),
            orientation_variance=yaw_noise**2,
            angular_velocity_variance=cfg.gyro_noise_std**2,
            linear_acceleration_variance=cfg.accel_noise_std**2,
        )


@dataclass(frozen=True)
class OdometrySample:
    """Odometry of base_link in the odom frame, laid out like nav_msgs/Odometry.

    Attributes:
        x, y, yaw: pose in odom (odom = where the robot started), metres and rad.
        vx, vy, wz: twist in base_link, m/s and rad/s.
    """

    x: float
    y: float
    yaw: float
    vx: float
    vy: float
    wz: float

    @property
    def orientation(self) -> tuple[float, float, float, float]:
        """Quaternion (x, y, z, w) of the pose."""
        return yaw_quaternion(self.yaw)


class OdometryModel:
    """Dead reckoning from measured body motion: scale error, yaw-rate bias and noise make it drift."""

    def __init__(self, config: OdometryConfig, rng: np.random.Generator) -> None:
        self.config = config
        self._rng = rng
        self._pose = np.zeros(3)
        self._twist = np.zeros(3)

    def integrate(self, motion: tuple[float, float, float], twist: tuple[float, float, float], dt: float) -> None:
        """Add one step of true motion.

        ``motion`` is the true displacement (dx, dy, dyaw) over the step, in the body frame
        at the start of the step; ``twist`` the true body velocity at its end. Composing
        displacements (not integrating velocities) keeps noise-free odometry exact at any step.
        """
        cfg = self.config
        scale = 1.0 + cfg.scale_error
        noise = self._rng.normal(0.0, cfg.velocity_noise_std, 3) if cfg.velocity_noise_std > 0.0 else np.zeros(3)
        dx, dy, dyaw = (
            motion[0] * scale + noise[0] * dt,
            motion[1] * scale + noise[1] * dt,
            motion[2] + (cfg.yaw_rate_bias + noise[2]) * dt,
        )
        c, s = math.cos(self._pose[2]), math.sin(self._pose[2])
        self._pose += (c * dx - s * dy, s * dx + c * dy, dyaw)
        self._pose[2] = math.remainder(self._pose[2], 2.0 * math.pi)
        self._twist = np.array([twist[0] * scale, twist[1] * scale, twist[2] + cfg.yaw_rate_bias]) + noise

    def sample(self) -> OdometrySample:
        x, y, yaw = (float(v) for v in self._pose)
        vx, vy, wz = (float(v) for v in self._twist)
        return OdometrySample(x, y, yaw, vx, vy, wz)
