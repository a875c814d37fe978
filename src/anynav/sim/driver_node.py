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
from anynav.msgs.time import NS_PER_S
from anynav.ros import Node, message_class, qos_profile_sensor_data, run_node
from anynav.ros.parameters import declare
from anynav.sim.driver import DriverConfig, WaypointDriver
from anynav.sim.scenario import find_scenario, load_scenario
from anynav.sim.sensors import GpsFix

__all__ = ["SimDriverNode", "main"]


class SimDriverNode(Node):
    """GPS fixes and IMU heading in, velocity commands toward the scenario's waypoints out; zero when blind."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("sim_driver", **kwargs)
        defaults = DriverConfig()
        scenario_name = declare(
            self, "scenario", "open_field", "scenario name or YAML path whose mission waypoints to drive to"
        )
        rate_hz = declare(self, "rate_hz", 20.0, "command rate", 1.0, 100.0)
        self._imu_timeout_s = declare(self, "imu_timeout_s", 0.5, "stop when the last IMU sample is older", 0.05, 10.0)
        config = DriverConfig(
            max_speed=declare(self, "max_speed", defaults.max_speed, "forward speed, m/s", 0.05, 5.0),
            max_yaw_rate=declare(self, "max_yaw_rate", defaults.max_yaw_rate, "rad/s", 0.05, 10.0),
            heading_gain=declare(
                self, "heading_gain", defaults.heading_gain, "yaw rate per rad of error, 1/s", 0.05, 20.0
            ),
            arrival_fraction=declare(
                self,
                "arrival_fraction",
                defaults.arrival_fraction,
                "move on within this fraction of the arrival radius (by GPS)",
                0.05,
                1.0,
            ),
            fix_timeout_s=declare(
                self, "fix_timeout_s", defaults.fix_timeout_s, "stop when the last fix is older", 0.1, 60.0
            ),
        )
        gps_topic = declare(self, "gps_topic", "/gps/fix", "sensor_msgs/NavSatFix in")
        imu_topic = declare(self, "imu_topic", "/imu/data", "sensor_msgs/Imu in")
        cmd_vel_topic = declare(self, "cmd_vel_topic", "/cmd_vel", "geometry_msgs/Twist out")

        scenario = load_scenario(find_scenario(scenario_name))
        mission = scenario.mission
        self._driver = WaypointDriver(
            [(w.latitude, w.longitude) for w in mission.waypoints], scenario.datum, mission.arrival_radius, config
        )
        self._yaw: float | None = None
        self._imu_time_s = -math.inf
        self._announced = 0

        self.create_subscription(
            message_class("sensor_msgs/msg/NavSatFix"), gps_topic, self._on_fix, qos_profile_sensor_data
        )
        self.create_subscription(message_class("sensor_msgs/msg/Imu"), imu_topic, self._on_imu, qos_profile_sensor_data)
        self._cmd_pub = self.create_publisher(message_class("geometry_msgs/msg/Twist"), cmd_vel_topic, 10)
        self.create_timer(1.0 / rate_hz, self._on_tick)
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
