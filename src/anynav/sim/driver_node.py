"""The `sim_driver` node: the stand-in navigation that heads for each scenario waypoint in turn from GPS + IMU.

It sees only what a robot's navigation would (/gps/fix, /imu/data) and publishes a Twist on
/cmd_vel at a fixed rate. The GPS navigation graph (mission, policy, follower, mux) takes
its place in config/sim.yaml once it exists; until then this keeps `anynav sim` driving.
"""

from __future__ import annotations

import math
from typing import Any

from anynav.msgs import navigation
from anynav.msgs.errors import MalformedMessageError
from anynav.ros import (
    FloatingPointRange,
    Node,
    ParameterDescriptor,
    message_class,
    qos_profile_sensor_data,
    run_node,
)
from anynav.sim.driver import DriverConfig, WaypointDriver
from anynav.sim.scenario import find_scenario, load_scenario
from anynav.sim.sensors import GpsFix

__all__ = ["SimDriverNode", "main"]

NS_PER_S = 1_000_000_000


def _range(low: float, high: float, description: str) -> ParameterDescriptor:
    return ParameterDescriptor(
        description=description, floating_point_range=[FloatingPointRange(from_value=low, to_value=high)]
    )


class SimDriverNode(Node):
    """GPS fixes and IMU heading in, velocity commands toward the scenario's waypoints out; zero when blind."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("sim_driver", **kwargs)
        defaults = DriverConfig()
        self.declare_parameter(
            "scenario",
            "open_field",
            ParameterDescriptor(description="scenario name or YAML path whose mission waypoints to drive to"),
        )
        self.declare_parameter("rate_hz", 20.0, _range(1.0, 100.0, "command rate"))
        self.declare_parameter("imu_timeout_s", 0.5, _range(0.05, 10.0, "stop when the last IMU sample is older"))
        self.declare_parameter("max_speed", defaults.max_speed, _range(0.05, 5.0, "forward speed, m/s"))
        self.declare_parameter("max_yaw_rate", defaults.max_yaw_rate, _range(0.05, 10.0, "rad/s"))
        self.declare_parameter(
            "heading_gain", defaults.heading_gain, _range(0.05, 20.0, "yaw rate per rad of error, 1/s")
        )
        self.declare_parameter(
            "arrival_fraction",
            defaults.arrival_fraction,
            _range(0.05, 1.0, "move on within this fraction of the arrival radius (by GPS)"),
        )
        self.declare_parameter(
            "fix_timeout_s", defaults.fix_timeout_s, _range(0.1, 60.0, "stop when the last fix is older")
        )
        self.declare_parameter("gps_topic", "/gps/fix", ParameterDescriptor(description="sensor_msgs/NavSatFix in"))
        self.declare_parameter("imu_topic", "/imu/data", ParameterDescriptor(description="sensor_msgs/Imu in"))
        self.declare_parameter("cmd_vel_topic", "/cmd_vel", ParameterDescriptor(description="geometry_msgs/Twist out"))

        def param(name: str) -> Any:
            return self.get_parameter(name).value

        scenario = load_scenario(find_scenario(param("scenario")))
        mission = scenario.mission
        config = DriverConfig(
            **{
                name: param(name)
                for name in ("max_speed", "max_yaw_rate", "heading_gain", "arrival_fraction", "fix_timeout_s")
            }
        )
        self._driver = WaypointDriver(
            [(w.latitude, w.longitude) for w in mission.waypoints], scenario.datum, mission.arrival_radius, config
        )
        self._imu_timeout_s = param("imu_timeout_s")
        self._yaw: float | None = None
        self._imu_time_s = -math.inf
        self._announced = 0

        self.create_subscription(
            message_class("sensor_msgs/msg/NavSatFix"), param("gps_topic"), self._on_fix, qos_profile_sensor_data
        )
        self.create_subscription(
            message_class("sensor_msgs/msg/Imu"), param("imu_topic"), self._on_imu, qos_profile_sensor_data
        )
        self._cmd_pub = self.create_publisher(message_class("geometry_msgs/msg/Twist"), param("cmd_vel_topic"), 10)
        self.create_timer(1.0 / param("rate_hz"), self._on_tick)
        self.get_logger().info(f"driving to the {len(mission.waypoints)} waypoints of scenario {scenario.name}")

    def _now_s(self) -> float:
        return self.get_clock().now().nanoseconds / NS_PER_S

    def _on_fix(self, msg: Any) -> None:
        try:
            fix = navigation.navsatfix_to_fix(msg)
        except MalformedMessageError as exc:
            self.get_logger().warn(f"dropped GPS fix: {exc}", throttle_duration_sec=1.0)
            return
        cov = tuple(float(v) for v in fix.position_covariance.reshape(9))
        self._driver.on_gps(GpsFix(fix.latitude, fix.longitude, fix.altitude, fix.status, cov), self._now_s())

    def _on_imu(self, msg: Any) -> None:
        try:
            sample = navigation.imu_to_sample(msg)
        except MalformedMessageError as exc:
            self.get_logger().warn(f"dropped IMU sample: {exc}", throttle_duration_sec=1.0)
            return
        self._yaw = navigation.yaw_from_quaternion(sample.orientation)
        self._imu_time_s = self._now_s()

    def _on_tick(self) -> None:
        now = self._now_s()
        if self._yaw is None or now - self._imu_time_s > self._imu_timeout_s:
            vx, vy, wz = 0.0, 0.0, 0.0
        else:
            vx, vy, wz = self._driver.command(now, self._yaw)
        self._cmd_pub.publish(navigation.twist_message(vx, vy, wz))
        if self._driver.index > self._announced:
            self._announced = self._driver.index
            self.get_logger().info(f"waypoint {self._announced} reached by GPS at t={now:.1f} s")


def main(args: list[str] | None = None) -> None:
    run_node(SimDriverNode, args)
