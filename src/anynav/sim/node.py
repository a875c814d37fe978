"""The `sim` node: steps a scenario's MuJoCo world against the wall clock; publishes /clock, sensors, ground truth.

Topic names follow the real drivers' defaults (Graph contract) and come from parameters,
so the navigation graph that drives a robot drives the sim unchanged. Every stamp is sim
time. The logic lives in the core (SimWorld, MissionMonitor, CommandHold, Pacer); this
node converts and publishes.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from anynav.msgs import navigation
from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.image import numpy_to_image, rgb_to_compressed
from anynav.msgs.pointcloud import xyz_to_pointcloud
from anynav.msgs.time import header, ns_to_stamp
from anynav.ros import (
    QOS_LATCHED,
    FloatingPointRange,
    Node,
    ParameterDescriptor,
    QoSProfile,
    ReliabilityPolicy,
    message_class,
    new_message,
    qos_profile_sensor_data,
    run_node,
)
from anynav.ros.parameters import declare
from anynav.sim.command import CommandHold
from anynav.sim.errors import SimNodeConfigError
from anynav.sim.pacing import Pacer, check_sensor_rates
from anynav.sim.scenario import find_scenario, load_scenario
from anynav.sim.schedule import RateGate
from anynav.sim.status import MissionMonitor, collision_dict
from anynav.sim.world import SimWorld

__all__ = ["SimNode", "main"]

ODOM_FRAME = "odom"
BASE_FRAME = "base_link"
CAMERA_FRAME = "camera_optical_frame"
IMU_FRAME = "imu_link"
GPS_FRAME = "gps_link"
#: NavSatFix.position_covariance_type: the diagonal is known.
COVARIANCE_TYPE_DIAGONAL_KNOWN = 2
#: How far sim time may fall behind its schedule before the schedule gives way, sim seconds.
MAX_LAG_S = 0.5
#: /clock as Gazebo and rclpy's time source use it: best effort, keep the last one.
CLOCK_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
#: tf2's own publishers use a deep reliable queue.
TF_QOS = QoSProfile(depth=100)

#: Topic parameters and their defaults (the real drivers' topic names).
TOPICS = {
    "image_topic": ("/camera/image_raw", "camera sensor_msgs/Image (rgb8)"),
    "compressed_image_topic": ("/camera/image_raw/compressed", "camera sensor_msgs/CompressedImage (JPEG)"),
    "camera_info_topic": ("/camera/camera_info", "camera sensor_msgs/CameraInfo"),
    "gps_topic": ("/gps/fix", "sensor_msgs/NavSatFix"),
    "imu_topic": ("/imu/data", "sensor_msgs/Imu"),
    "odom_topic": ("/odom", "nav_msgs/Odometry (odom -> base_link, drifting)"),
    "l1_lidar_topic": ("/utlidar/cloud", "PointCloud2 when the scenario's LiDAR is the Unitree L1 pattern"),
    "mid360_lidar_topic": ("/livox/lidar", "PointCloud2 when the scenario's LiDAR is the Livox Mid-360 pattern"),
    "collision_topic": ("/sim/collision", "std_msgs/String JSON, one per collision event"),
    "status_topic": ("/sim/status", "std_msgs/String JSON mission status (latched)"),
    "cmd_vel_topic": ("/cmd_vel", "velocity command in, Twist or TwistStamped"),
}


def _diagonal(variance: float) -> np.ndarray:
    return np.diag([variance] * 3).reshape(9)


class SimNode(Node):
    """Runs one scenario: physics, sensors at their configured rates, the velocity command, the mission judge."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("sim", **kwargs)
        scenario_name = declare(
            self, "scenario", "open_field", "scenario name (config/scenarios/NAME.yaml) or path to a scenario YAML file"
        )
        real_time_factor = declare(self, "real_time_factor", 1.0, "sim seconds per wall second", 0.1, 50.0)
        self._step_s = self.declare_parameter(  # by hand: declare() cannot express the 5 ms step grid
            "step_s",
            0.01,
            ParameterDescriptor(
                description="sim time per control step (/clock period), a multiple of the 5 ms physics step",
                floating_point_range=[FloatingPointRange(from_value=0.005, to_value=0.05, step=0.005)],
            ),
        ).value
        cmd_vel_stamped = declare(
            self, "cmd_vel_stamped", False, "subscribe to geometry_msgs/TwistStamped instead of Twist"
        )
        cmd_vel_ttl_s = declare(
            self, "cmd_vel_ttl_s", 0.5, "a command older than this (sim time) stops the robot", 0.05, 10.0
        )
        status_rate_hz = declare(self, "status_rate_hz", 2.0, "/sim/status messages per sim second", 0.1, 50.0)
        jpeg_quality = declare(self, "jpeg_quality", 85, "JPEG quality of the compressed image", 1, 100)
        topic = {name: declare(self, name, default, description) for name, (default, description) in TOPICS.items()}

        if self.get_parameter("use_sim_time").value:
            raise SimNodeConfigError(
                "the sim node publishes /clock and runs on the wall clock: set use_sim_time false for it"
            )

        scenario = load_scenario(find_scenario(scenario_name))
        check_sensor_rates(scenario.sensors, self._step_s)
        self._world = SimWorld(scenario)
        self._monitor = MissionMonitor(scenario)
        self._hold = CommandHold(cmd_vel_ttl_s)
        self._pacer = Pacer(real_time_factor, self._step_s, MAX_LAG_S)
        self._jpeg_quality = jpeg_quality
        self._rejected = 0
        self._started = False
        self._lidar_frame = self._world.lidar_frame_id

        sensors = scenario.sensors
        self._gates = {
            "gps": RateGate(sensors.gps.rate_hz),
            "imu": RateGate(sensors.imu.rate_hz),
            "odometry": RateGate(sensors.odometry.rate_hz),
            "status": RateGate(status_rate_hz),
        }
        string = message_class("std_msgs/msg/String")
        self._clock_pub = self.create_publisher(message_class("rosgraph_msgs/msg/Clock"), "/clock", CLOCK_QOS)
        self._tf_pub = self.create_publisher(message_class("tf2_msgs/msg/TFMessage"), "/tf", TF_QOS)
        self._tf_static_pub = self.create_publisher(message_class("tf2_msgs/msg/TFMessage"), "/tf_static", QOS_LATCHED)
        self._gps_pub = self.create_publisher(
            message_class("sensor_msgs/msg/NavSatFix"), topic["gps_topic"], qos_profile_sensor_data
        )
        self._imu_pub = self.create_publisher(
            message_class("sensor_msgs/msg/Imu"), topic["imu_topic"], qos_profile_sensor_data
        )
        self._odom_pub = self.create_publisher(message_class("nav_msgs/msg/Odometry"), topic["odom_topic"], 10)
        self._collision_pub = self.create_publisher(string, topic["collision_topic"], 10)
        self._status_pub = self.create_publisher(string, topic["status_topic"], QOS_LATCHED)
        if sensors.camera.enabled:
            self._gates["camera"] = RateGate(sensors.camera.rate_hz)
            self._image_pub = self.create_publisher(
                message_class("sensor_msgs/msg/Image"), topic["image_topic"], qos_profile_sensor_data
            )
            self._compressed_pub = self.create_publisher(
                message_class("sensor_msgs/msg/CompressedImage"),
                topic["compressed_image_topic"],
                qos_profile_sensor_data,
            )
            self._info_pub = self.create_publisher(
                message_class("sensor_msgs/msg/CameraInfo"), topic["camera_info_topic"], qos_profile_sensor_data
            )
        if sensors.lidar.enabled:
            self._gates["lidar"] = RateGate(sensors.lidar.rate_hz)
            lidar_topic = topic[f"{scenario.lidar_pattern}_lidar_topic"]
            self._lidar_pub = self.create_publisher(
                message_class("sensor_msgs/msg/PointCloud2"), lidar_topic, qos_profile_sensor_data
            )
        twist_type = "geometry_msgs/msg/TwistStamped" if cmd_vel_stamped else "geometry_msgs/msg/Twist"
        self.create_subscription(message_class(twist_type), topic["cmd_vel_topic"], self._on_cmd_vel, 10)

        self._tf_static_pub.publish(self._static_transforms())
        self._timer = self.create_timer(self._step_s / real_time_factor, self._on_tick)
        lidar = f"{scenario.lidar_pattern} LiDAR" if sensors.lidar.enabled else "no LiDAR"
        camera = f"{sensors.camera.width}x{sensors.camera.height} camera" if sensors.camera.enabled else "no camera"
        self.get_logger().info(
            f"scenario {scenario.name} ({scenario.robot.name}): {len(scenario.mission.waypoints)} waypoints, "
            f"{camera}, {lidar}, x{real_time_factor:g} real time"
        )

    # --- callbacks ----------------------------------------------------------------------------

    def _on_cmd_vel(self, msg: Any) -> None:
        try:
            command = navigation.twist_to_array(msg)
        except MalformedMessageError as exc:
            self._rejected += 1
            self.get_logger().warn(f"dropped cmd_vel ({self._rejected} so far): {exc}", throttle_duration_sec=1.0)
            return
        self._hold.set(tuple(command), self._world.time)

    def _on_tick(self) -> None:
        now = time.monotonic()
        if not self._started:
            self._started = True
            self._pacer.start(now, self._world.time)
            self._publish_clock()
            return
        rebases = self._pacer.rebases
        for _ in range(self._pacer.steps_due(now, self._world.time)):
            self._step()
            if self._monitor.done:
                self._finish()
                return
        if self._pacer.rebases > rebases:
            self.get_logger().warn(
                f"cannot keep x{self._pacer.real_time_factor:g} real time on this machine; sim time falls behind",
                throttle_duration_sec=10.0,
            )

    # --- one step -----------------------------------------------------------------------------

    def _step(self) -> None:
        world = self._world
        events = world.step(*self._hold.current(world.time), self._step_s)
        self._monitor.update(world.time, world.pose(), events, world.clearance)
        self._publish_clock()
        stamp = world.time_ns
        for event in events:
            self._collision_pub.publish(new_message("std_msgs/msg/String", data=json.dumps(collision_dict(event))))
            self.get_logger().warn(f"collision with {event.kind} {event.other} at t={event.time_s:.2f} s")
        now = world.time
        if self._gates["imu"].due(now):
            self._imu_pub.publish(self._imu_message(stamp))
        if self._gates["odometry"].due(now):
            self._publish_odometry(stamp)
        if self._gates["gps"].due(now):
            self._publish_gps(stamp)
        if "camera" in self._gates and self._gates["camera"].due(now):
            self._publish_camera(stamp)
        if "lidar" in self._gates and self._gates["lidar"].due(now):
            self._lidar_pub.publish(xyz_to_pointcloud(world.scan_lidar(), self._lidar_frame, stamp))
        if self._gates["status"].due(now):
            self._publish_status()

    def _finish(self) -> None:
        """Publish the final status once and stop the world; the node keeps serving until it is stopped."""
        self._timer.cancel()
        status = self._publish_status()
        summary = status.summary()
        self.get_logger().info(
            f"mission {status.state} at t={status.time_s:.1f} s: {summary.waypoints_reached}/{summary.waypoints_total} "
            f"waypoints, {summary.path_length_m:.1f} m, {len(summary.collisions)} collisions; the world is stopped"
        )

    # --- messages -----------------------------------------------------------------------------

    def _publish_clock(self) -> None:
        self._clock_pub.publish(new_message("rosgraph_msgs/msg/Clock", clock=ns_to_stamp(self._world.time_ns)))

    def _publish_status(self) -> Any:
        status = self._monitor.status(self._pacer.achieved_factor(time.monotonic(), self._world.time), self._rejected)
        self._status_pub.publish(new_message("std_msgs/msg/String", data=status.to_json()))
        return status

    def _imu_message(self, stamp: int) -> Any:
        s = self._world.read_imu()
        return new_message(
            "sensor_msgs/msg/Imu",
            header=header(IMU_FRAME, stamp),
            orientation=navigation.quaternion_msg(np.asarray(s.orientation)),
            orientation_covariance=_diagonal(s.orientation_variance),
            angular_velocity=navigation.vector3_msg(np.asarray(s.angular_velocity)),
            angular_velocity_covariance=_diagonal(s.angular_velocity_variance),
            linear_acceleration=navigation.vector3_msg(np.asarray(s.linear_acceleration)),
            linear_acceleration_covariance=_diagonal(s.linear_acceleration_variance),
        )

    def _publish_odometry(self, stamp: int) -> None:
        s = self._world.read_odometry()
        self._odom_pub.publish(
            navigation.odometry_message(
                navigation.OdometrySample(
                    stamp,
                    ODOM_FRAME,
                    BASE_FRAME,
                    np.array([s.x, s.y, 0.0]),
                    np.asarray(s.orientation),
                    np.array([s.vx, s.vy, 0.0]),
                    np.array([0.0, 0.0, s.wz]),
                )
            )
        )
        odom = navigation.transform_stamped(ODOM_FRAME, BASE_FRAME, (s.x, s.y, 0.0), s.orientation, stamp)
        self._tf_pub.publish(new_message("tf2_msgs/msg/TFMessage", transforms=[odom]))

    def _publish_gps(self, stamp: int) -> None:
        fix = self._world.read_gps()
        if fix is None:  # a dropout: the receiver delivers nothing
            return
        self._gps_pub.publish(
            navigation.fix_to_navsatfix(
                navigation.GpsFix(
                    stamp,
                    fix.latitude,
                    fix.longitude,
                    fix.altitude,
                    fix.status,
                    np.asarray(fix.position_covariance).reshape(3, 3),
                    COVARIANCE_TYPE_DIAGONAL_KNOWN,
                ),
                GPS_FRAME,
            )
        )

    def _publish_camera(self, stamp: int) -> None:
        rgb = self._world.render_rgb()
        self._image_pub.publish(numpy_to_image(rgb, "rgb8", CAMERA_FRAME, stamp))
        self._compressed_pub.publish(rgb_to_compressed(rgb, CAMERA_FRAME, stamp, self._jpeg_quality))
        self._info_pub.publish(self._camera_info(stamp))

    def _camera_info(self, stamp: int) -> Any:
        k = self._world.camera_intrinsics
        projection = np.hstack((k.k, np.zeros((3, 1))))
        return new_message(
            "sensor_msgs/msg/CameraInfo",
            header=header(CAMERA_FRAME, stamp),
            height=k.height,
            width=k.width,
            distortion_model="plumb_bob",
            d=np.zeros(5),
            k=k.k.reshape(9),
            r=np.eye(3).reshape(9),
            p=projection.reshape(12),
        )

    def _static_transforms(self) -> Any:
        return new_message(
            "tf2_msgs/msg/TFMessage",
            transforms=[
                navigation.transform_stamped(BASE_FRAME, child, frame.translation, frame.rotation, 0)
                for child, frame in self._world.sensor_frames().items()
            ],
        )

    def destroy_node(self) -> None:
        self._world.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> None:
    run_node(SimNode, args)
