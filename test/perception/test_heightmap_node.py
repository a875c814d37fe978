"""The heightmap node over real DDS: a box seen through the LiDAR mount and odometry, layouts, staleness, bad clouds."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from anynav.msgs.diagnostics import Level, level_of
from anynav.msgs.geometry import matrix_from_quaternion
from anynav.msgs.navigation import OdometrySample, odometry_message
from anynav.msgs.pointcloud import xyz_to_pointcloud
from anynav.perception.heightmap import Go2LidarLayout, HeightMapBuilder
from anynav.perception.heightmap_node import HeightMapNode
from anynav.ros import QOS_LATCHED, qos_profile_sensor_data
from graph_probe import Graph, graph_fixture  # noqa: F401  (the `graph` fixture)

CLOUD = "sensor_msgs/msg/PointCloud2"
ODOM = "nav_msgs/msg/Odometry"
ARRAY = "std_msgs/msg/Float32MultiArray"
IMAGE = "sensor_msgs/msg/Image"
DIAGNOSTICS = "diagnostic_msgs/msg/DiagnosticArray"
FAST = {"rate_hz": 20.0, "diagnostics_period_s": 0.1}

# The base: 2 m east, 1 m south, pelvis 1 m up, facing +y of odom (yaw 90°), written out by hand.
BASE_XYZ = np.array((2.0, -1.0, 1.0))
BASE_QUAT = np.array((0.0, 0.0, math.sin(math.pi / 4), math.cos(math.pi / 4)))
BASE_R = np.array(((0.0, -1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, 1.0)))
# A LiDAR 0.1 m ahead and 0.4 m above the base, upside down and turned 90° (rpy π, 0, π/2): x→y, y→x, z→−z.
MOUNT_XYZ = np.array((0.1, 0.0, 0.4))
MOUNT_RPY = [math.pi, 0.0, math.pi / 2]
MOUNT_R = np.array(((0.0, 1.0, 0.0), (1.0, 0.0, 0.0), (0.0, 0.0, -1.0)))


def patch(x: tuple[float, float], y: tuple[float, float], z: float, step: float = 0.02) -> np.ndarray:
    """Points on a horizontal patch (base frame), offset so none sits on a 0.1 m cell edge."""
    gx, gy = np.meshgrid(np.arange(x[0] + 0.005, x[1], step), np.arange(y[0] + 0.005, y[1], step), indexing="ij")
    return np.stack([gx.ravel(), gy.ravel(), np.full(gx.size, z)], axis=1)


def box_scene(base_height: float) -> np.ndarray:
    """Flat ground and a 0.3 m high box top over x ∈ [0.25, 0.65), y ∈ [−0.25, 0.25), in the base's yaw frame."""
    ground = patch((-1.0, 1.0), (-0.7, 0.7), -base_height)
    inside = (ground[:, 0] >= 0.25) & (ground[:, 0] < 0.65) & (np.abs(ground[:, 1]) < 0.25)
    top = patch((0.25, 0.65), (-0.25, 0.25), 0.3 - base_height)
    return np.concatenate([ground[~inside], top])


def odom(stamp_ns: int, position: np.ndarray = BASE_XYZ, quat: np.ndarray = BASE_QUAT) -> Any:
    return odometry_message(OdometrySample(stamp_ns, "odom", "base_link", position, quat, np.zeros(3), np.zeros(3)))


def newest_status(diagnostics: list[Any]) -> tuple[Level, str, dict[str, str]]:
    status = diagnostics[-1].status[0]
    return level_of(status), status.message, {kv.key: kv.value for kv in status.values}


def test_box_through_mount_and_odometry_gives_the_h1_scan(graph: Graph) -> None:
    graph.add(HeightMapNode, layout="h1_scan", lidar_mount_xyz=MOUNT_XYZ.tolist(), lidar_mount_rpy=MOUNT_RPY, **FAST)
    maps = graph.listen(ARRAY, "/heightmap")
    images = graph.listen(IMAGE, "/heightmap/image")
    odom_pub = graph.publisher(ODOM, "/odom")
    cloud_pub = graph.publisher(CLOUD, "/utlidar/cloud", qos_profile_sensor_data)
    graph.connect(odom_pub, cloud_pub)
    # The scene in the base frame (z relative to the pelvis), seen by the sensor: p_l = Rmᵀ(p_b − tm).
    in_sensor = (box_scene(1.0) - MOUNT_XYZ) @ MOUNT_R
    graph.publish_for([(odom_pub, odom)], 0.2, 50.0)
    graph.publish_for(
        [(odom_pub, odom), (cloud_pub, lambda now: xyz_to_pointcloud(in_sensor, "lidar", now))], 0.4, 20.0
    )
    assert maps and images
    msg = maps[-1]
    dims = [(d.label, d.size, d.stride) for d in msg.layout.dim]
    assert dims == [("y_right_first", 11, 187), ("x_back_first", 17, 17)]
    values = np.asarray(msg.data, dtype=np.float32).reshape(11, 17)  # [iy, ix], x fastest
    expected = np.full((11, 17), 0.5, dtype=np.float32)  # pelvis 1 m above ground: 1 − 0 − 0.5
    expected[3:8, 11:15] = 0.2  # box top: 1 − 0.3 − 0.5; x cells 11..14 = [0.25, 0.65), y cells 3..7
    assert np.allclose(values, expected, atol=1e-5)
    image = images[-1]
    assert (image.encoding, image.height, image.width) == ("32FC1", 17, 11)
    pixels = np.frombuffer(bytes(image.data), dtype=np.float32).reshape(17, 11)
    assert np.array_equal(pixels, values.T[::-1, ::-1])  # forward up, left on the left


def test_go2_layout_matches_the_core_and_sees_the_box_lower(graph: Graph) -> None:
    graph.add(HeightMapNode, layout="go2_lidar", cloud_frame_is_odom=True, **FAST)
    maps = graph.listen(ARRAY, "/heightmap")
    images = graph.listen(IMAGE, "/heightmap/image")
    odom_pub = graph.publisher(ODOM, "/odom")
    cloud_pub = graph.publisher(CLOUD, "/utlidar/cloud", qos_profile_sensor_data)
    graph.connect(odom_pub, cloud_pub)
    level = np.array((0.0, 0.0, 0.0, 1.0))
    base = np.array((1.0, 0.5, 0.32))
    scene = box_scene(0.32)
    scene[scene[:, 2] > -0.1, 2] = 0.1 - 0.32  # a 10 cm step instead of 30 cm, inside the map's depth
    in_odom = scene + base  # cloud_frame_is_odom: points are given in odom, base level and facing +x
    graph.publish_for([(odom_pub, lambda now: odom(now, base, level))], 0.2, 50.0)
    graph.publish_for(
        [
            (odom_pub, lambda now: odom(now, base, level)),
            (cloud_pub, lambda now: xyz_to_pointcloud(in_odom, "odom", now)),
        ],
        0.3,
        20.0,
    )
    assert maps and images
    msg = maps[-1]
    assert [(d.label, d.size, d.stride) for d in msg.layout.dim] == [
        ("x_forward_first", 17, 459),
        ("y_right_first", 27, 27),
    ]
    values = np.asarray(msg.data, dtype=np.float32)
    pose = np.eye(4)
    pose[:3, 3] = base
    builder = HeightMapBuilder(Go2LidarLayout())
    builder.add_cloud(in_odom, np.eye(4), 0)
    assert np.allclose(values, builder.build(0, pose).values)
    grid = values.reshape(17, 27)
    # At a given virtual x_l a plane h below the sensor reads z_l = (h − 0.26·x_l)/cos 15°: the box top, 0.1 m
    # nearer than the ground, reads 0.1/cos 15° less.
    # Sensor 0.293 m ahead: box x ∈ [0.25, 0.65) is virtual x_l ∈ [−0.30, 0.08], rows 8..14, and y columns 9..17.
    # Cells one inside the edge escape the 3×3 max filter's spread of the (larger) ground values.
    box = grid[9:13, 10:16]
    beside = grid[9:13, 1:7]
    assert np.allclose(beside - box, 0.1 / math.cos(math.radians(15)), atol=0.01)
    image = images[-1]
    assert (image.encoding, image.height, image.width) == ("32FC1", 17, 27)
    assert np.array_equal(np.frombuffer(bytes(image.data), dtype=np.float32).reshape(17, 27), grid[:, ::-1])


def test_stale_input_publishes_nothing_and_says_stale(graph: Graph) -> None:
    ttl, rate = 0.2, 20.0
    graph.add(HeightMapNode, layout="h1_scan", ttl_s=ttl, window_s=0.2, **{**FAST, "rate_hz": rate})
    maps = graph.listen(ARRAY, "/heightmap")
    diagnostics = graph.listen(DIAGNOSTICS, "/diagnostics")
    odom_pub = graph.publisher(ODOM, "/odom")
    cloud_pub = graph.publisher(CLOUD, "/utlidar/cloud", qos_profile_sensor_data)
    graph.connect(odom_pub, cloud_pub)
    graph.publish_for([(odom_pub, odom)], 0.4, 50.0)
    assert not maps
    level, message, values = newest_status(diagnostics)
    assert level is Level.STALE and message.startswith("stale: no cloud received yet")
    cloud = box_scene(1.0)
    last = graph.publish_for(
        [(odom_pub, odom), (cloud_pub, lambda now: xyz_to_pointcloud(cloud, "lidar", now))], 0.4, 20.0
    )
    assert maps
    assert newest_status(diagnostics)[0] is Level.OK
    graph.publish_for([(odom_pub, odom)], 0.6, 50.0)
    arrivals = graph.times(maps)
    assert arrivals[-1] <= last + ttl + 1.0 / rate + 0.06
    level, message, values = newest_status(diagnostics)
    assert level is Level.STALE
    assert message == f"stale: no cloud within ttl {ttl:g} s; /heightmap not published"
    assert float(values["newest_cloud_age_s"]) > ttl
    count = len(maps)
    graph.publish_for([(odom_pub, odom)], 0.3, 50.0)
    assert len(maps) == count


def test_no_odometry_is_stale_and_clouds_without_a_pose_are_counted(graph: Graph) -> None:
    graph.add(HeightMapNode, layout="h1_scan", **FAST)
    maps = graph.listen(ARRAY, "/heightmap")
    diagnostics = graph.listen(DIAGNOSTICS, "/diagnostics")
    cloud_pub = graph.publisher(CLOUD, "/utlidar/cloud", qos_profile_sensor_data)
    graph.connect(cloud_pub)
    graph.publish_for([(cloud_pub, lambda now: xyz_to_pointcloud(box_scene(1.0), "lidar", now))], 0.4, 20.0)
    assert not maps
    level, message, values = newest_status(diagnostics)
    assert level is Level.STALE and "no odometry" in message
    assert int(values["clouds_without_pose"]) >= 5 and values["clouds_dropped"] == "0"


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda msg: setattr(msg, "data", msg.data[:-12]), "row_step"),
        (lambda msg: setattr(msg, "fields", msg.fields[:2]), "no field(s) ['z']"),
    ],
)
def test_malformed_clouds_are_dropped_and_counted(graph: Graph, damage: Any, reason: str) -> None:
    graph.add(HeightMapNode, layout="h1_scan", **FAST)
    maps = graph.listen(ARRAY, "/heightmap")
    diagnostics = graph.listen(DIAGNOSTICS, "/diagnostics")
    odom_pub = graph.publisher(ODOM, "/odom")
    cloud_pub = graph.publisher(CLOUD, "/utlidar/cloud", qos_profile_sensor_data)
    graph.connect(odom_pub, cloud_pub)

    def broken(now: int) -> Any:
        msg = xyz_to_pointcloud(box_scene(1.0), "lidar", now)
        damage(msg)
        return msg

    graph.publish_for([(odom_pub, odom), (cloud_pub, broken)], 0.4, 20.0)
    assert not maps
    level, _, values = newest_status(diagnostics)
    assert level is Level.STALE
    assert int(values["clouds_dropped"]) == int(values["clouds_received"]) >= 5
    assert reason in values["last_drop"]


def test_mount_is_latched_on_tf_static_in_the_clouds_frame(graph: Graph) -> None:
    graph.add(
        HeightMapNode,
        layout="h1_scan",
        lidar_mount_xyz=MOUNT_XYZ.tolist(),
        lidar_mount_rpy=MOUNT_RPY,
        publish_mount_tf=True,
        **FAST,
    )
    statics = graph.listen("tf2_msgs/msg/TFMessage", "/tf_static", QOS_LATCHED)
    odom_pub = graph.publisher(ODOM, "/odom")
    cloud_pub = graph.publisher(CLOUD, "/utlidar/cloud", qos_profile_sensor_data)
    graph.connect(odom_pub, cloud_pub)
    graph.publish_for(
        [(odom_pub, odom), (cloud_pub, lambda now: xyz_to_pointcloud(box_scene(1.0), "mid360", now))], 0.3, 20.0
    )
    assert len(statics) == 1
    (transform,) = statics[0].transforms
    assert (transform.header.frame_id, transform.child_frame_id) == ("base_link", "mid360")
    t, r = transform.transform.translation, transform.transform.rotation
    assert np.allclose((t.x, t.y, t.z), MOUNT_XYZ)
    assert np.allclose(matrix_from_quaternion(np.array((r.x, r.y, r.z, r.w))), MOUNT_R, atol=1e-12)
