"""The policy node over real DDS: baseline toward the goal and around obstacles, LogoNav and CityWalker ticks,
nothing published (and the reason in /diagnostics) when an input is stale."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from policy_helpers import Exported, random_images

from anynav.msgs.diagnostics import Level, level_of
from anynav.msgs.geometry import quaternion_from_yaw
from anynav.msgs.image import numpy_to_image, rgb_to_compressed
from anynav.msgs.navigation import OdometrySample, odometry_message, path_to_arrays, quaternion_msg
from anynav.msgs.pointcloud import xyz_to_pointcloud
from anynav.msgs.time import header, stamp_to_ns
from anynav.policy.errors import ModelCardError, PolicyConfigError
from anynav.policy.node import PolicyNode, model_dirs
from anynav.ros import QOS_LATCHED, new_message
from graph_probe import Graph, graph_fixture  # noqa: F401  (the `graph` fixture)

MS = 1_000_000
PATH = "nav_msgs/msg/Path"
DIAGNOSTICS = "diagnostic_msgs/msg/DiagnosticArray"


def goal_message(x: float, y: float, stamp_ns: int, frame: str = "base_link") -> Any:
    pose = new_message(
        "geometry_msgs/msg/Pose",
        position=new_message("geometry_msgs/msg/Point", x=x, y=y, z=0.0),
        orientation=quaternion_msg(quaternion_from_yaw(math.atan2(y, x))),
    )
    return new_message("geometry_msgs/msg/PoseStamped", header=header(frame, stamp_ns), pose=pose)


def stamp_of(msg: Any) -> int:
    return stamp_to_ns(msg.header.stamp)


def status_named(arrays: list[Any], name: str) -> Any:
    """The latest DiagnosticStatus called ``name``."""
    for array in reversed(arrays):
        for status in array.status:
            if status.name == name:
                return status
    raise AssertionError(f"no diagnostics named {name!r}")


class Camera:
    """Publishes camera frames with chosen stamps, one at a time (each waits until the node has it)."""

    def __init__(self, graph: Graph, node: PolicyNode, compressed: bool = False) -> None:
        self.graph, self.node, self.compressed = graph, node, compressed
        if compressed:
            self.pub = graph.publisher("sensor_msgs/msg/CompressedImage", "/camera/image_raw/compressed")
        else:
            self.pub = graph.publisher("sensor_msgs/msg/Image", "/camera/image_raw")
        self.images = random_images(8, 48, 64, seed=3)

    def send(self, stamp_ns: int, index: int) -> None:
        image = self.images[index % len(self.images)]
        if self.compressed:
            self.pub.publish(rgb_to_compressed(image, "camera", stamp_ns))
        else:
            self.pub.publish(numpy_to_image(image, "rgb8", "camera", stamp_ns))
        assert self.graph.spin_until(lambda: self.node.newest_frame_ns == stamp_ns, 5.0)


def test_baseline_without_lidar_plans_toward_the_goal(graph: Graph) -> None:
    node = graph.add(PolicyNode, policy="baseline", lidar_topic="")
    paths = graph.listen(PATH, "/policy/waypoints")
    goals = graph.publisher("geometry_msgs/msg/PoseStamped", "/mission/goal")
    graph.connect(goals)
    graph.publish_for([(goals, lambda stamp: goal_message(4.0, 3.0, stamp))], 0.6, 20.0)
    assert 2 <= len(paths) <= 5, "goal-driven ticks at the baseline's 5 Hz"
    assert node.rate_hz == 5.0
    path = paths[-1]
    assert path.header.frame_id == "base_link"
    points, yaws = path_to_arrays(path)
    assert len(points) == 5
    bearing = math.atan2(3.0, 4.0)
    headings = np.arctan2(points[:, 1], points[:, 0])
    np.testing.assert_allclose(headings, bearing, atol=math.radians(2.5))
    np.testing.assert_allclose(np.hypot(points[:, 0], points[:, 1]), 0.25 * np.arange(1, 6), atol=1e-9)
    np.testing.assert_allclose(yaws, headings, atol=1e-9)


def _wall_in_lidar_frame() -> np.ndarray:
    """A 1.2 m wide, 0.5 m tall wall 1.5 m ahead of base_link, and ground 0.3 m below it; in the LiDAR frame."""
    ys, zs = np.meshgrid(np.linspace(-0.6, 0.6, 25), np.linspace(0.0, 0.5, 6))
    wall = np.column_stack([np.full(ys.size, 1.5), ys.ravel(), zs.ravel()])
    gx, gy = np.meshgrid(np.linspace(0.3, 4.0, 30), np.linspace(-2.0, 2.0, 30))
    ground = np.column_stack([gx.ravel(), gy.ravel(), np.full(gx.size, -0.3)])
    return np.vstack([wall, ground]) - np.array([0.28, 0.0, -0.05])  # LiDAR at (0.28, 0, -0.05) in base_link


def test_baseline_steers_around_lidar_obstacles_once_the_lidar_frame_is_known(graph: Graph) -> None:
    node = graph.add(
        PolicyNode,
        policy="baseline",
        lidar_topic="/utlidar/cloud",
        **{"baseline.obstacle_min_z": -0.2, "baseline.obstacle_max_z": 0.6, "diagnostic_period_s": 0.1},
    )
    paths = graph.listen(PATH, "/policy/waypoints")
    diagnostics = graph.listen(DIAGNOSTICS, "/diagnostics")
    sent_clouds = graph.listen("sensor_msgs/msg/PointCloud2", "/utlidar/cloud")
    goals = graph.publisher("geometry_msgs/msg/PoseStamped", "/mission/goal")
    clouds = graph.publisher("sensor_msgs/msg/PointCloud2", "/utlidar/cloud")
    graph.connect(goals, clouds)
    inputs = [
        (goals, lambda stamp: goal_message(5.0, 0.0, stamp)),
        (clouds, lambda stamp: xyz_to_pointcloud(_wall_in_lidar_frame(), "utlidar_lidar", stamp)),
    ]
    graph.publish_for(inputs, 0.5, 10.0)
    assert paths == [], "points in an unknown frame must not be planned around blindly"
    output = status_named(diagnostics, "policy: waypoints")
    assert level_of(output) == Level.WARN and "no static transform links 'utlidar_lidar'" in output.message

    tf_static = graph.publisher("tf2_msgs/msg/TFMessage", "/tf_static", QOS_LATCHED)
    mount = new_message(
        "geometry_msgs/msg/TransformStamped",
        header=header("base_link", graph.now_ns()),
        child_frame_id="utlidar_lidar",
        transform=new_message(
            "geometry_msgs/msg/Transform",
            translation=new_message("geometry_msgs/msg/Vector3", x=0.28, y=0.0, z=-0.05),
            rotation=quaternion_msg(quaternion_from_yaw(0.0)),
        ),
    )
    tf_static.publish(new_message("tf2_msgs/msg/TFMessage", transforms=[mount]))
    assert graph.spin_until(lambda: len(node.static_frames) == 1, 5.0)
    graph.publish_for(inputs, 0.5, 10.0)
    assert paths
    points, _ = path_to_arrays(paths[-1])
    assert stamp_of(paths[-1]) in {stamp_of(c) for c in sent_clouds}, "stamped with the cloud it was planned on"
    heading = abs(math.atan2(points[-1, 1], points[-1, 0]))
    # The inflated disc (0.5 m) must pass beside the 0.6 m half-wall 1.5 m ahead: > atan(1.1 / 1.5) off axis.
    assert heading > math.atan2(1.1, 1.5) - math.radians(3.0)


def test_stale_or_missing_camera_publishes_nothing_and_says_why(graph: Graph, logonav_small: Exported) -> None:
    node = graph.add(
        PolicyNode, policy="logonav", model_dir=str(logonav_small.directory), camera_ttl_s=0.5, diagnostic_period_s=0.1
    )
    paths = graph.listen(PATH, "/policy/waypoints")
    diagnostics = graph.listen(DIAGNOSTICS, "/diagnostics")
    goals = graph.publisher("geometry_msgs/msg/PoseStamped", "/mission/goal")
    camera = Camera(graph, node)
    graph.connect(goals, camera.pub)
    graph.publish_for([(goals, lambda stamp: goal_message(5.0, 1.0, stamp))], 0.3, 20.0)
    output = status_named(diagnostics, "policy: waypoints")
    assert level_of(output) == Level.WARN and "no camera frame received yet" in output.message
    assert level_of(status_named(diagnostics, "policy: camera")) == Level.WARN

    # A camera whose frames are 3 s old when they arrive (a stalled driver replaying its buffer).
    old = graph.now_ns() - 3000 * MS
    for k in range(20):
        camera.send(old + k * 100 * MS, k)
        goals.publish(goal_message(5.0, 1.0, graph.now_ns()))
    graph.spin(0.3)
    assert paths == []
    assert node.ticks >= 6, "frames arrived and ticks ran, but none may publish"
    output = status_named(diagnostics, "policy: waypoints")
    assert level_of(output) == Level.WARN and "camera frame is" in output.message and "s old" in output.message
    assert "camera stalled" in node.last_problem


@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "compressed"])
def test_logonav_ticks_every_context_spacing_and_encodes_one_new_frame_per_tick(
    graph: Graph, logonav_small: Exported, compressed: bool
) -> None:
    transport = "compressed" if compressed else "raw"
    node = graph.add(
        PolicyNode,
        policy="logonav",
        model_dir=str(logonav_small.directory),
        camera_ttl_s=30.0,
        goal_ttl_s=30.0,
        threads=1,
        image_transport=transport,
    )
    assert node.rate_hz == pytest.approx(1 / 0.3)
    paths = graph.listen(PATH, "/policy/waypoints")
    goals = graph.publisher("geometry_msgs/msg/PoseStamped", "/mission/goal")
    camera = Camera(graph, node, compressed)
    graph.connect(goals, camera.pub)
    goals.publish(goal_message(6.0, -2.0, graph.now_ns()))
    assert graph.spin_until(lambda: node.goal is not None, 5.0)

    t0 = graph.now_ns() - 3100 * MS
    for k in range(31):  # 10 Hz camera; LogoNav needs 6 frames 0.3 s apart
        camera.send(t0 + k * 100 * MS, k)
    assert graph.spin_until(lambda: len(paths) == 6, 5.0)
    assert [stamp_of(p) for p in paths] == [t0 + (1500 + 300 * j) * MS for j in range(6)]
    assert node.ticks == 11  # frames 0, 3, ..., 30; the first five lacked 1.5 s of history
    stats = node.runtime.stats
    assert stats.frames_encoded == 6 + 5, "after the first full context, each tick encodes only its new frame"
    assert stats.encoder_runs == 6 and node.last_frames_encoded == 1
    for path in paths:
        points, _ = path_to_arrays(path)
        assert path.header.frame_id == "base_link" and points.shape == (8, 3) and np.isfinite(points).all()


def test_citywalker_needs_odometry_then_publishes_waypoints_and_arrival(
    graph: Graph, citywalker_small: Exported
) -> None:
    node = graph.add(
        PolicyNode,
        policy="citywalker",
        model_dir=str(citywalker_small.directory),
        camera_ttl_s=30.0,
        goal_ttl_s=30.0,
        threads=1,
    )
    assert node.rate_hz == pytest.approx(1.0)
    paths = graph.listen(PATH, "/policy/waypoints")
    arrivals = graph.listen("std_msgs/msg/Float32", "/policy/arrival")
    goals = graph.publisher("geometry_msgs/msg/PoseStamped", "/mission/goal")
    odom = graph.publisher("nav_msgs/msg/Odometry", "/odom")
    camera = Camera(graph, node)
    graph.connect(goals, odom, camera.pub)
    goals.publish(goal_message(8.0, 0.0, graph.now_ns()))
    assert graph.spin_until(lambda: node.goal is not None, 5.0)

    t0 = graph.now_ns() - 6000 * MS
    for k in range(21):  # 5 Hz camera, 4 s of history: the tick on frame 20 has a full context
        camera.send(t0 + k * 200 * MS, k)
    assert paths == [] and "no odometry received yet" in node.last_problem

    for k in range(61):  # odometry at 10 Hz: driving east at 0.5 m/s
        stamp = t0 + k * 100 * MS
        odom.publish(
            odometry_message(
                OdometrySample(
                    stamp,
                    "odom",
                    "base_link",
                    np.array([0.05 * k, 0.0, 0.0]),
                    quaternion_from_yaw(0.0),
                    np.array([0.5, 0.0, 0.0]),
                    np.zeros(3),
                )
            )
        )
        assert graph.spin_until(lambda stamp=stamp: node.poses.newest_ns == stamp, 5.0)
    for k in range(21, 31):
        camera.send(t0 + k * 200 * MS, k)
    assert graph.spin_until(lambda: len(paths) == 2 and len(arrivals) == 2, 5.0)
    assert [stamp_of(p) for p in paths] == [t0 + 5000 * MS, t0 + 6000 * MS]
    assert all(0.0 <= a.data <= 1.0 for a in arrivals)
    points, _ = path_to_arrays(paths[-1])
    assert points.shape == (5, 3)


def test_configuration_errors_name_the_parameter(graph: Graph, logonav_small: Exported, tmp_path: Path) -> None:
    with pytest.raises(ModelCardError, match="no model card"):
        graph.add(PolicyNode, policy="logonav", model_dir=str(tmp_path))
    with pytest.raises(PolicyConfigError, match="holds a logonav export"):
        graph.add(PolicyNode, policy="citywalker", model_dir=str(logonav_small.directory))
    with pytest.raises(PolicyConfigError, match="parameter policy='vint' must be one of baseline, logonav"):
        graph.add(PolicyNode, policy="vint")


def test_without_model_dir_the_export_is_looked_for_where_models_readme_puts_it() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert model_dirs("logonav")[0] == repo / "models" / "logonav"
    assert (repo / "models" / "README.md").is_file()
