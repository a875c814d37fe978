"""The heightmap node: LiDAR clouds + odometry in, NaVILA's policy height map out at a fixed rate, never silently old.

Inputs: a PointCloud2 (`cloud_topic`, default the Go2 L1's /utlidar/cloud, sensor QoS) and
/odom (nav_msgs/Odometry, the base in the odom frame). Each cloud is placed in odom with the
base pose at its capture time (interpolated odometry) composed with the static LiDAR mount
(`lidar_mount_xyz`/`lidar_mount_rpy` in base_link, default the Go2 L1), or taken as already in
odom with `cloud_frame_is_odom` (deskewed clouds). The core keeps `window_s` of clouds, so
the L1's partial sweeps add up, and rebuilds the map at the current base pose every tick.

Outputs, every 1/`rate_hz` while the map is fresh: /heightmap (std_msgs/Float32MultiArray in
the policy's order: `go2_lidar` 17×27 row-major, or `h1_scan` 11×17 with x fastest; the
layout's dims say rows, columns and strides) and /heightmap/image (sensor_msgs/Image 32FC1,
top-down, forward up, for viewing). When no cloud arrived within `ttl_s` (or odometry is
missing), the map is stale and NOTHING is published on /heightmap: the locomotion controller's
own height-map TTL then expires and it falls back to its blind policy or to standing. The
/diagnostics status keeps saying "stale" (level STALE) for as long as that lasts, so a stale
map is never silently old. Malformed clouds are dropped and counted in the diagnostics.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from anynav.msgs.diagnostics import DIAGNOSTIC_ARRAY, Check, Level, age_s, diagnostic_array
from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.geometry import quaternion_from_rpy
from anynav.msgs.image import numpy_to_image
from anynav.msgs.navigation import transform_stamped
from anynav.msgs.pointcloud import pointcloud_to_xyz
from anynav.msgs.time import stamp_to_ns
from anynav.perception.errors import CloudError, HeightMapConfigError
from anynav.perception.heightmap import (
    GO2_HEAD_LOWER_IN_BASE_M,
    LAYOUTS,
    HeightMap,
    HeightMapBuilder,
    HeightMapConfig,
    layout_by_name,
)
from anynav.perception.pose_history import PoseHistory, PoseHistoryConfig, mount_matrix
from anynav.ros import QOS_LATCHED, Node, message_class, new_message, qos_profile_sensor_data, run_node
from anynav.ros.parameters import choice, declare

FLOAT_ARRAY = "std_msgs/msg/Float32MultiArray"
#: Go2 L1 in base_link (go2_description radar_joint): 0.28945 m ahead, 4.7 cm down, pitched 2.8782 rad
#: (≈165°, looking down)
GO2_L1_MOUNT_XYZ = [0.28945, 0.0, -0.046825]
GO2_L1_MOUNT_RPY = [0.0, 2.8782, 0.0]
#: what a row and a column of each layout's flat order stand for (MultiArrayDimension labels)
DIM_LABELS = {"go2_lidar": ("x_forward_first", "y_right_first"), "h1_scan": ("y_right_first", "x_back_first")}
#: odometry kept beyond the cloud window: the clouds' transport delay and a late tick
POSE_MARGIN_S = 0.7


def _vector3(node: Node, name: str, default: list[float], description: str) -> tuple[float, float, float]:
    value = declare(node, name, default, description)
    array = np.asarray(value, dtype=np.float64)
    if array.shape != (3,) or not np.isfinite(array).all() or np.abs(array).max() > 10.0:
        raise HeightMapConfigError(f"parameter {name}={value!r}: expected 3 finite numbers within ±10")
    return (float(array[0]), float(array[1]), float(array[2]))


def float_array_message(values: np.ndarray, rows: int, cols: int, labels: tuple[str, str]) -> Any:
    """A Float32MultiArray of a row-major rows×cols grid with its dims (size, stride) filled in."""
    dims = [
        new_message("std_msgs/msg/MultiArrayDimension", label=labels[0], size=rows, stride=rows * cols),
        new_message("std_msgs/msg/MultiArrayDimension", label=labels[1], size=cols, stride=cols),
    ]
    return new_message(
        FLOAT_ARRAY,
        layout=new_message("std_msgs/msg/MultiArrayLayout", dim=dims, data_offset=0),
        data=np.asarray(values, dtype=np.float32),
    )


class HeightMapNode(Node):
    """Feeds posed clouds to a HeightMapBuilder and publishes its map each tick while it is fresh."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("heightmap", **kwargs)
        layout_name = choice(
            self, "layout", "go2_lidar", tuple(LAYOUTS), "the policy's map layout", HeightMapConfigError
        )
        rate = declare(self, "rate_hz", 20.0, "map publish rate, Hz", 10.0, 100.0)
        window = declare(
            self, "window_s", 0.3, "clouds younger than this are merged (L1 sweeps are partial), s", 0.01, 2.0
        )
        ttl = declare(self, "ttl_s", 0.3, "no cloud for this long: the map is stale and not published, s", 0.01, 5.0)
        max_points = declare(
            self, "max_points", 400_000, "point budget of the window (oldest clouds go first)", 1_000, 5_000_000
        )
        odom_ttl = declare(
            self, "odom_ttl_s", 0.2, "odometry older than this: no base pose, the map is stale, s", 0.01, 1.0
        )
        self.cloud_topic = declare(self, "cloud_topic", "/utlidar/cloud", "PointCloud2 input (sensor QoS)")
        odom_topic = declare(self, "odom_topic", "/odom", "nav_msgs/Odometry of the base in the odom frame")
        self.cloud_in_odom = declare(
            self, "cloud_frame_is_odom", False, "clouds are already in the odom frame (deskewed); the mount is not used"
        )
        self.use_header_stamp = declare(
            self,
            "use_header_stamp",
            False,
            "time clouds and odometry by their header stamps (needs clocks synchronised with the robot, or "
            "sim time); false: by arrival, which is immune to an unsynchronised robot clock",
        )
        mount_xyz = _vector3(self, "lidar_mount_xyz", GO2_L1_MOUNT_XYZ, "LiDAR origin in base_link, m")
        mount_rpy = _vector3(self, "lidar_mount_rpy", GO2_L1_MOUNT_RPY, "LiDAR orientation in base_link, rpy rad")
        go2_origin = _vector3(
            self,
            "go2_origin_in_base_m",
            list(GO2_HEAD_LOWER_IN_BASE_M),
            "go2_lidar: where the policy's virtual LiDAR frame sits in base_link, m",
        )
        h1_empty = declare(self, "h1_empty_value", 0.5, "h1_scan: value of cells no point fell in", -1.0, 1.0)
        self.frame_id = declare(self, "frame_id", "base_link", "frame_id of /heightmap/image")
        publish_mount_tf = declare(
            self,
            "publish_mount_tf",
            False,
            "publish frame_id -> LiDAR frame (the mount above) on /tf_static, for robots without a URDF publisher",
        )
        self.lidar_frame = declare(self, "lidar_frame", "", "child frame of that transform; '' = the clouds' frame_id")
        report = declare(self, "diagnostics_period_s", 1.0, "period of /diagnostics, s", 0.05, 10.0)

        settings = {"origin_in_base_m": go2_origin} if layout_name == "go2_lidar" else {"empty_value": h1_empty}
        layout = layout_by_name(layout_name, **settings)
        self.builder = HeightMapBuilder(layout, HeightMapConfig(window_s=window, ttl_s=ttl, max_points=max_points))
        self.poses = PoseHistory(PoseHistoryConfig(horizon_s=min(window + POSE_MARGIN_S, 10.0), max_gap_s=odom_ttl))
        self.mount = mount_matrix(mount_xyz, mount_rpy)
        self.ttl_s, self.odom_ttl_s, self.rate_hz = ttl, odom_ttl, rate
        self.rows, self.cols = layout.rows, layout.cols  # type: ignore[attr-defined]
        self.labels = DIM_LABELS[layout_name]
        self.clouds_received = 0
        self.clouds_dropped = 0
        self.clouds_without_pose = 0
        self.last_drop = ""
        self.maps_published = 0
        self.last_map: HeightMap | None = None
        self.stale_reason: str | None = "starting"

        self.map_pub = self.create_publisher(message_class(FLOAT_ARRAY), "/heightmap", 10)
        self.image_pub = self.create_publisher(message_class("sensor_msgs/msg/Image"), "/heightmap/image", 10)
        self.diag_pub = self.create_publisher(message_class(DIAGNOSTIC_ARRAY), "/diagnostics", 10)
        self.mount_tf_pub = (
            self.create_publisher(message_class("tf2_msgs/msg/TFMessage"), "/tf_static", QOS_LATCHED)
            if publish_mount_tf
            else None
        )
        self.mount_origin = (mount_xyz, mount_rpy)
        if self.lidar_frame:
            self._publish_mount_tf(self.lidar_frame)
        self.create_subscription(message_class("nav_msgs/msg/Odometry"), odom_topic, self.on_odom, 50)
        self.create_subscription(
            message_class("sensor_msgs/msg/PointCloud2"), self.cloud_topic, self.on_cloud, qos_profile_sensor_data
        )
        self.create_timer(1.0 / rate, self.on_tick)
        self.create_timer(report, self.on_report)
        where = "in the odom frame" if self.cloud_in_odom else f"mount xyz {mount_xyz} rpy {mount_rpy}"
        self.get_logger().info(
            f"/heightmap {layout_name} {self.rows}x{self.cols} at {rate:g} Hz from {self.cloud_topic} ({where}), "
            f"window {window:g} s, ttl {ttl:g} s"
        )

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def _stamp(self, header: Any) -> int:
        return stamp_to_ns(header.stamp) if self.use_header_stamp else self.now_ns()

    def on_odom(self, msg: Any) -> None:
        pose = msg.pose.pose
        position = np.array((pose.position.x, pose.position.y, pose.position.z))
        quat = np.array((pose.orientation.x, pose.orientation.y, pose.orientation.z, pose.orientation.w))
        try:
            self.poses.add(self._stamp(msg.header), position, quat)
        except CloudError as exc:
            self.get_logger().warn(f"dropped odometry: {exc}", throttle_duration_sec=1.0)

    def _publish_mount_tf(self, lidar_frame: str) -> None:
        """Latch the LiDAR mount once, so nodes placing the cloud through TF (the baseline policy) can."""
        if self.mount_tf_pub is None:
            return
        xyz, rpy = self.mount_origin
        transform = transform_stamped(self.frame_id, lidar_frame, xyz, quaternion_from_rpy(*rpy), self.now_ns())
        self.mount_tf_pub.publish(new_message("tf2_msgs/msg/TFMessage", transforms=[transform]))
        self.mount_tf_pub = None

    def on_cloud(self, msg: Any) -> None:
        if self.mount_tf_pub is not None and msg.header.frame_id:
            self._publish_mount_tf(msg.header.frame_id)
        self.clouds_received += 1
        stamp = self._stamp(msg.header)
        try:
            points = pointcloud_to_xyz(msg)
            if self.cloud_in_odom:
                pose = np.eye(4)
            else:
                base = self.poses.at(stamp)
                if base is None:
                    self.clouds_without_pose += 1
                    self._drop(f"no odometry within {self.odom_ttl_s:g} s of the cloud's time")
                    return
                pose = base @ self.mount
            self.builder.add_cloud(points, pose, stamp)
        except (MalformedMessageError, CloudError) as exc:
            self.clouds_dropped += 1
            self._drop(f"malformed cloud: {exc}")

    def _drop(self, reason: str) -> None:
        self.last_drop = reason
        self.get_logger().warn(
            f"dropped a cloud on {self.cloud_topic} ({self.clouds_dropped + self.clouds_without_pose} so far): "
            f"{reason}",
            throttle_duration_sec=1.0,
        )

    def on_tick(self) -> None:
        now = self.now_ns()
        base = self.poses.latest()
        newest_odom = self.poses.newest_ns
        if base is None or newest_odom is None or age_s(now, newest_odom) > self.odom_ttl_s:
            self._set_stale(f"no odometry within {self.odom_ttl_s:g} s")
            return
        height_map = self.builder.build(now, base)
        self.last_map = height_map
        if height_map.stale:
            newest = height_map.newest_cloud_ns
            self._set_stale(
                "no cloud received yet"
                if newest is None and self.clouds_received == 0
                else f"no cloud within ttl {self.ttl_s:g} s"
            )
            return
        self._set_stale(None)
        self.map_pub.publish(float_array_message(height_map.values, self.rows, self.cols, self.labels))
        self.image_pub.publish(numpy_to_image(height_map.image, "32FC1", self.frame_id, now))
        self.maps_published += 1

    def _set_stale(self, reason: str | None) -> None:
        """Log each change between fresh and stale once (the diagnostics repeat it every period)."""
        if reason == self.stale_reason:
            return
        if reason is None:
            self.get_logger().info("height map fresh: publishing /heightmap")
        else:
            self.get_logger().warn(f"height map stale ({reason}): not publishing /heightmap")
        self.stale_reason = reason

    def on_report(self) -> None:
        now = self.now_ns()
        newest = self.last_map.newest_cloud_ns if self.last_map is not None else None
        if self.stale_reason is None:
            level, message = Level.OK, f"fresh: {self.rows}x{self.cols} at {self.rate_hz:g} Hz"
        else:
            level, message = Level.STALE, f"stale: {self.stale_reason}; /heightmap not published"
        values = {
            "layout": self.builder.layout.name,
            "newest_cloud_age_s": age_s(now, newest),
            "clouds_received": self.clouds_received,
            "clouds_dropped": self.clouds_dropped,
            "clouds_without_pose": self.clouds_without_pose,
            "last_drop": self.last_drop,
            "clouds_in_window": self.last_map.clouds if self.last_map is not None else 0,
            "points_in_grid": self.last_map.points_in_grid if self.last_map is not None else 0,
            "maps_published": self.maps_published,
        }
        self.diag_pub.publish(diagnostic_array([Check("heightmap: map", level, message, values)], now))


def heightmap() -> HeightMapNode:
    return HeightMapNode()


def main(args: list[str] | None = None) -> None:
    run_node(heightmap, args)
