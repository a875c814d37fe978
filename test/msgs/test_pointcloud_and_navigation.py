"""PointCloud2 layouts, and the GPS/IMU/odometry/path/twist conversions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.navigation import (
    GpsFix,
    ImuSample,
    OdometrySample,
    arrays_to_path,
    fix_to_navsatfix,
    imu_message,
    imu_to_sample,
    navsatfix_to_fix,
    odometry_message,
    odometry_to_sample,
    path_to_arrays,
    quaternion_from_yaw,
    twist_message,
    twist_to_array,
)
from anynav.msgs.pointcloud import pointcloud_to_structured, pointcloud_to_xyz, xyz_to_pointcloud
from anynav.msgs.time import ns_to_stamp, sec_to_stamp, stamp_to_ns, stamp_to_sec
from anynav.ros.messages import new_message


def test_cloud_with_shuffled_fields_padding_and_nans():
    """Livox-style layout: intensity first, float64 z, 5 pad bytes per point, 2 rows with row padding."""
    point = np.dtype(
        {
            "names": ["intensity", "x", "y", "z"],
            "formats": ["<f4", "<f4", "<f4", "<f8"],
            "offsets": [0, 4, 8, 16],
            "itemsize": 29,
        }
    )
    points = np.zeros(6, point)
    points["x"], points["y"], points["z"] = np.arange(6), -np.arange(6), np.arange(6) * 0.5
    points["x"][4] = np.nan
    rows = points.view(np.uint8).reshape(2, 3 * 29)
    data = np.hstack([rows, np.zeros((2, 7), np.uint8)]).reshape(-1)
    fields = [
        new_message("sensor_msgs/msg/PointField", name=n, offset=o, datatype=d, count=1)
        for n, o, d in (("intensity", 0, 7), ("x", 4, 7), ("y", 8, 7), ("z", 16, 8))
    ]
    msg = new_message(
        "sensor_msgs/msg/PointCloud2",
        height=2,
        width=3,
        fields=fields,
        is_bigendian=False,
        point_step=29,
        row_step=3 * 29 + 7,
        data=data,
        is_dense=False,
    )
    xyz = pointcloud_to_xyz(msg)
    expected = np.stack([np.arange(6), -np.arange(6), np.arange(6) * 0.5], 1).astype(np.float32)
    assert np.array_equal(xyz, np.delete(expected, 4, axis=0))
    assert pointcloud_to_xyz(msg, skip_nans=False).shape == (6, 3)


def test_big_endian_cloud():
    point = np.dtype({"names": ["x", "y", "z"], "formats": [">f4"] * 3, "offsets": [0, 4, 8], "itemsize": 16})
    points = np.zeros(2, point)
    points["x"], points["y"], points["z"] = [1.5, 2.5], [3.0, 4.0], [-1.0, -2.0]
    fields = [
        new_message("sensor_msgs/msg/PointField", name=n, offset=4 * i, datatype=7, count=1)
        for i, n in enumerate("xyz")
    ]
    msg = new_message(
        "sensor_msgs/msg/PointCloud2",
        height=1,
        width=2,
        fields=fields,
        is_bigendian=True,
        point_step=16,
        row_step=32,
        data=points.view(np.uint8),
    )
    assert np.array_equal(pointcloud_to_xyz(msg), [[1.5, 3.0, -1.0], [2.5, 4.0, -2.0]])


def test_xyz_cloud_round_trip_with_intensity():
    pts = np.random.default_rng(1).normal(size=(50, 3)).astype(np.float32)
    msg = xyz_to_pointcloud(pts, "utlidar_lidar", 7, intensity=np.arange(50))
    assert msg.point_step == 16 and msg.is_dense
    assert np.array_equal(pointcloud_to_xyz(msg), pts)
    assert np.array_equal(pointcloud_to_structured(msg)["intensity"], np.arange(50, dtype=np.float32))


def test_field_running_past_point_step_is_named():
    msg = xyz_to_pointcloud(np.zeros((2, 3)), "lidar", 0)
    msg.fields[2].offset = 12
    with pytest.raises(MalformedMessageError, match=r"fields\[z\]\.offset"):
        pointcloud_to_xyz(msg)


def test_stamps():
    assert stamp_to_ns(ns_to_stamp(3_000_000_123)) == 3_000_000_123
    assert stamp_to_sec(sec_to_stamp(12.25)) == 12.25
    with pytest.raises(MalformedMessageError, match="nanosec"):
        stamp_to_ns(new_message("builtin_interfaces/msg/Time", sec=1, nanosec=2_000_000_000))


def test_navsatfix_round_trip_and_range_checks():
    fix = GpsFix(5, 48.1, 11.5, 520.0, 0, np.diag([1.0, 1.0, 4.0]), 2)
    back = navsatfix_to_fix(fix_to_navsatfix(fix))
    assert (back.latitude, back.longitude, back.stamp_ns) == (48.1, 11.5, 5)
    assert np.array_equal(back.position_covariance, fix.position_covariance)
    bad = fix_to_navsatfix(GpsFix(5, 95.0, 11.5, 0.0, 0, np.eye(3), 2))
    with pytest.raises(MalformedMessageError, match="latitude"):
        navsatfix_to_fix(bad)
    no_fix = fix_to_navsatfix(GpsFix(5, math.nan, math.nan, 0.0, -1, np.eye(3), 0))
    assert navsatfix_to_fix(no_fix).status == -1


def test_imu_and_odometry_round_trip_and_nan_rejection():
    q = quaternion_from_yaw(0.7)
    imu = imu_to_sample(imu_message(ImuSample(9, q, np.array([0, 0, 0.1]), np.array([0, 0, 9.81]))))
    assert np.allclose(imu.orientation, q) and imu.stamp_ns == 9
    odom = OdometrySample(
        11, "odom", "base_link", np.array([1.0, 2.0, 0.0]), q, np.array([0.5, 0, 0]), np.array([0, 0, 0.2])
    )
    back = odometry_to_sample(odometry_message(odom))
    assert math.isclose(back.yaw, 0.7) and back.child_frame_id == "base_link"
    msg = odometry_message(odom)
    msg.pose.pose.position.x = math.nan
    with pytest.raises(MalformedMessageError, match="position"):
        odometry_to_sample(msg)


def test_path_and_twist():
    positions, yaws = path_to_arrays(
        arrays_to_path(np.array([[1.0, 0.5], [2.0, 1.0]]), np.array([0.1, -0.2]), "base_link", 42)
    )
    assert np.allclose(positions[:, :2], [[1.0, 0.5], [2.0, 1.0]]) and np.allclose(yaws, [0.1, -0.2])
    assert twist_to_array(twist_message(0.5, 0.1, -0.3, stamped=True)).tolist() == [0.5, 0.1, -0.3]
    bad = twist_message(math.nan, 0, 0)
    with pytest.raises(MalformedMessageError, match="NaN"):
        twist_to_array(bad)
