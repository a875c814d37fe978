"""NavSatFix, Imu, Odometry, Path/PoseStamped and Twist/TwistStamped ↔ plain numbers and numpy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.geometry import quaternion_from_yaw, yaw_from_quaternion
from anynav.msgs.time import header, stamp_to_ns
from anynav.ros.messages import new_message

NAVSATFIX = "sensor_msgs/msg/NavSatFix"
STATUS_NO_FIX = -1


@dataclass(frozen=True)
class GpsFix:
    stamp_ns: int
    latitude: float
    longitude: float
    altitude: float
    status: int
    position_covariance: np.ndarray  # 3×3, ENU m²
    covariance_type: int


def navsatfix_to_fix(msg: Any) -> GpsFix:
    """A fix with its latitude/longitude range-checked (NaN is allowed only with STATUS_NO_FIX)."""
    status = int(msg.status.status)
    lat, lon = float(msg.latitude), float(msg.longitude)
    if status != STATUS_NO_FIX:
        if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
            raise MalformedMessageError(NAVSATFIX, "latitude", f"{lat} outside [-90, 90]")
        if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
            raise MalformedMessageError(NAVSATFIX, "longitude", f"{lon} outside [-180, 180]")
    cov = np.asarray(msg.position_covariance, dtype=np.float64)
    if cov.size != 9:
        raise MalformedMessageError(NAVSATFIX, "position_covariance", f"{cov.size} values, expected 9")
    return GpsFix(
        stamp_to_ns(msg.header.stamp),
        lat,
        lon,
        float(msg.altitude),
        status,
        cov.reshape(3, 3),
        int(msg.position_covariance_type),
    )


def fix_to_navsatfix(fix: GpsFix, frame_id: str = "gps_link") -> Any:
    return new_message(
        NAVSATFIX,
        header=header(frame_id, fix.stamp_ns),
        status=new_message("sensor_msgs/msg/NavSatStatus", status=fix.status, service=1),
        latitude=fix.latitude,
        longitude=fix.longitude,
        altitude=fix.altitude,
        position_covariance=np.asarray(fix.position_covariance, dtype=np.float64).reshape(9),
        position_covariance_type=fix.covariance_type,
    )


def _vec(v: Any) -> np.ndarray:
    return np.array([v.x, v.y, v.z], dtype=np.float64)


def _quat(q: Any) -> np.ndarray:
    return np.array([q.x, q.y, q.z, q.w], dtype=np.float64)


def quaternion_msg(xyzw: np.ndarray) -> Any:
    x, y, z, w = (float(v) for v in xyzw)
    return new_message("geometry_msgs/msg/Quaternion", x=x, y=y, z=z, w=w)


def vector3_msg(xyz: np.ndarray) -> Any:
    x, y, z = (float(v) for v in xyz)
    return new_message("geometry_msgs/msg/Vector3", x=x, y=y, z=z)


def transform_stamped(parent: str, child: str, translation: Any, rotation_xyzw: Any, stamp_ns: int) -> Any:
    """A geometry_msgs/TransformStamped: ``child``'s pose in ``parent`` (for /tf and /tf_static)."""
    return new_message(
        "geometry_msgs/msg/TransformStamped",
        header=header(parent, stamp_ns),
        child_frame_id=child,
        transform=new_message(
            "geometry_msgs/msg/Transform", translation=vector3_msg(translation), rotation=quaternion_msg(rotation_xyzw)
        ),
    )


@dataclass(frozen=True)
class ImuSample:
    stamp_ns: int
    orientation: np.ndarray  # x, y, z, w
    angular_velocity: np.ndarray  # rad/s
    linear_acceleration: np.ndarray  # m/s²


def imu_to_sample(msg: Any) -> ImuSample:
    sample = ImuSample(
        stamp_to_ns(msg.header.stamp), _quat(msg.orientation), _vec(msg.angular_velocity), _vec(msg.linear_acceleration)
    )
    for name in ("orientation", "angular_velocity", "linear_acceleration"):
        if not np.isfinite(getattr(sample, name)).all():
            raise MalformedMessageError("sensor_msgs/msg/Imu", name, "contains NaN or inf")
    return sample


def imu_message(sample: ImuSample, frame_id: str = "imu_link") -> Any:
    return new_message(
        "sensor_msgs/msg/Imu",
        header=header(frame_id, sample.stamp_ns),
        orientation=quaternion_msg(sample.orientation),
        angular_velocity=vector3_msg(sample.angular_velocity),
        linear_acceleration=vector3_msg(sample.linear_acceleration),
    )


@dataclass(frozen=True)
class OdometrySample:
    stamp_ns: int
    frame_id: str
    child_frame_id: str
    position: np.ndarray  # x, y, z
    orientation: np.ndarray  # x, y, z, w
    linear_velocity: np.ndarray  # in child frame
    angular_velocity: np.ndarray

    @property
    def yaw(self) -> float:
        return yaw_from_quaternion(self.orientation)


def odometry_to_sample(msg: Any) -> OdometrySample:
    sample = OdometrySample(
        stamp_to_ns(msg.header.stamp),
        msg.header.frame_id,
        msg.child_frame_id,
        _vec(msg.pose.pose.position),
        _quat(msg.pose.pose.orientation),
        _vec(msg.twist.twist.linear),
        _vec(msg.twist.twist.angular),
    )
    for name in ("position", "orientation", "linear_velocity", "angular_velocity"):
        if not np.isfinite(getattr(sample, name)).all():
            raise MalformedMessageError("nav_msgs/msg/Odometry", name, "contains NaN or inf")
    return sample


def odometry_message(sample: OdometrySample) -> Any:
    x, y, z = (float(v) for v in sample.position)
    pose = new_message(
        "geometry_msgs/msg/Pose",
        position=new_message("geometry_msgs/msg/Point", x=x, y=y, z=z),
        orientation=quaternion_msg(sample.orientation),
    )
    twist = new_message(
        "geometry_msgs/msg/Twist",
        linear=vector3_msg(sample.linear_velocity),
        angular=vector3_msg(sample.angular_velocity),
    )
    return new_message(
        "nav_msgs/msg/Odometry",
        header=header(sample.frame_id, sample.stamp_ns),
        child_frame_id=sample.child_frame_id,
        pose=new_message("geometry_msgs/msg/PoseWithCovariance", pose=pose),
        twist=new_message("geometry_msgs/msg/TwistWithCovariance", twist=twist),
    )


def path_to_arrays(msg: Any) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) positions and (N,) yaws of a nav_msgs/Path, in the path's header frame."""
    positions = np.array(
        [[p.pose.position.x, p.pose.position.y, p.pose.position.z] for p in msg.poses], dtype=np.float64
    )
    yaws = np.array([yaw_from_quaternion(_quat(p.pose.orientation)) for p in msg.poses], dtype=np.float64)
    if positions.size and not (np.isfinite(positions).all() and np.isfinite(yaws).all()):
        raise MalformedMessageError("nav_msgs/msg/Path", "poses", "contains NaN or inf")
    return positions.reshape(-1, 3), yaws


def arrays_to_path(positions: np.ndarray, yaws: np.ndarray | None, frame_id: str, stamp_ns: int) -> Any:
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 2 or positions.shape[1] not in (2, 3):
        raise ValueError(f"positions must be (N, 2) or (N, 3), got {positions.shape}")
    yaws = np.zeros(len(positions)) if yaws is None else np.asarray(yaws, dtype=np.float64)
    hdr = header(frame_id, stamp_ns)
    poses = []
    for point, yaw in zip(positions, yaws):
        z = float(point[2]) if len(point) == 3 else 0.0
        pose = new_message(
            "geometry_msgs/msg/Pose",
            position=new_message("geometry_msgs/msg/Point", x=float(point[0]), y=float(point[1]), z=z),
            orientation=quaternion_msg(quaternion_from_yaw(float(yaw))),
        )
        poses.append(new_message("geometry_msgs/msg/PoseStamped", header=hdr, pose=pose))
    return new_message("nav_msgs/msg/Path", header=hdr, poses=poses)


def twist_to_array(msg: Any) -> np.ndarray:
    """(vx, vy, wz) from a Twist or a TwistStamped; NaN/inf is a MalformedMessageError."""
    twist = msg.twist if hasattr(msg, "twist") else msg
    values = np.array([twist.linear.x, twist.linear.y, twist.angular.z], dtype=np.float64)
    rest = np.array([twist.linear.z, twist.angular.x, twist.angular.y], dtype=np.float64)
    if not (np.isfinite(values).all() and np.isfinite(rest).all()):
        raise MalformedMessageError("geometry_msgs/msg/Twist", "linear/angular", f"contains NaN or inf: {values}")
    return values


def twist_message(
    vx: float, vy: float, wz: float, stamped: bool = False, frame_id: str = "base_link", stamp_ns: int = 0
) -> Any:
    twist = new_message(
        "geometry_msgs/msg/Twist", linear=vector3_msg((vx, vy, 0.0)), angular=vector3_msg((0.0, 0.0, wz))
    )
    if stamped:
        return new_message("geometry_msgs/msg/TwistStamped", header=header(frame_id, stamp_ns), twist=twist)
    return twist
