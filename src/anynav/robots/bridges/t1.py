"""bridge_t1: a Booster T1 over its loco RPC on DDS; ChangeMode (2000) to walking, then Move (2001).

The T1 publishes /odom, /imu/data, /joint_states and /tf itself (ROS-named topics on its
DDS), so this bridge republishes none of them: it watches the robot's odometry to know
the robot is there and drives the loco service.
"""

from __future__ import annotations

from typing import Any

from anynav.control.velocity import Velocity
from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.navigation import odometry_to_sample
from anynav.robots.booster import loco
from anynav.robots.bridges.core import NS_PER_S, VelocityLimits
from anynav.robots.bridges.node import BridgeDefaults, BridgeNode
from anynav.robots.errors import RobotInterfaceError
from anynav.ros import (
    message_class,
    new_message,
    qos_profile_sensor_data,
    run_node,
)
from anynav.ros.parameters import declare

#: Booster's T1 walks slower than the quadrupeds; inside the navigation policies' ranges
T1_DEFAULTS = BridgeDefaults(rate_hz=20.0, limits=VelocityLimits(0.5, 0.2, 0.2, 0.8))
#: a ChangeMode without a reply is sent again after this long
MODE_RETRY_S = 1.0


class T1Bridge(BridgeNode):
    """Move while cmd_vel is fresh, once the robot confirmed walking mode; Move(0, 0, 0) to stop."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("bridge_t1", "t1", T1_DEFAULTS, **kwargs)
        odom_topic = declare(
            self,
            "robot_odom_topic",
            "/odom",
            "the robot's own odometry (nav_msgs/Odometry): the bridge's sign that the robot is there",
        )
        self.walking = False
        self._mode_uuid = ""
        self._mode_sent_ns: int | None = None
        self.request_pub = self.create_publisher(message_class(loco.REQUEST), loco.REQUEST_TOPIC, 10)
        self.create_subscription(message_class(loco.RESPONSE), loco.RESPONSE_TOPIC, self.on_response, 10)
        self.create_subscription(
            message_class("nav_msgs/msg/Odometry"),
            odom_topic,
            self.on_robot_odom,
            qos_profile_sensor_data,
        )
        self.start_velocity_control()
        self.get_logger().info(
            f"{self.param('cmd_vel_topic')} -> {loco.REQUEST_TOPIC} at {self.rate_hz:g} Hz; "
            f"robot state from {odom_topic}"
        )

    def call(self, fields: dict[str, Any], description: str) -> str:
        self.request_pub.publish(new_message(loco.REQUEST, **fields))
        return description

    def send_move(self, velocity: Velocity) -> str:
        if not self.walking:
            return self._ask_walking()
        vx, vy, wz = velocity.vx, velocity.vy, velocity.wz
        return self.call(loco.move(vx, vy, wz), f"Move(2001) vx={vx:.2f} vy={vy:.2f} vyaw={wz:.2f}")

    def _ask_walking(self) -> str:
        now = self.now_ns()
        if self._mode_sent_ns is not None and now - self._mode_sent_ns < MODE_RETRY_S * NS_PER_S:
            return "waiting for ChangeMode(2000) walking"
        fields = loco.change_mode(loco.RobotMode.WALKING)
        self._mode_uuid, self._mode_sent_ns = fields["uuid"], now
        return self.call(fields, "ChangeMode(2000) walking")

    def send_stop(self) -> str:
        if not self.walking:
            return "stop skipped: not walking"
        return self.call(loco.move(0.0, 0.0, 0.0), "Move(2001) stop")

    def send_damp(self) -> str:
        self.walking = False
        return self.call(loco.change_mode(loco.RobotMode.DAMPING), "ChangeMode(2000) damping")

    def on_response(self, msg: Any) -> None:
        """ChangeMode's reply unlocks Move; any refused call re-runs the mode handshake before the next Move."""
        try:
            result = loco.decode_response(msg)
        except RobotInterfaceError as err:
            self.rpc_failed(f"LocoApiTopicResp: {err}")
            return
        if result.uuid == self._mode_uuid:
            self._mode_uuid, self._mode_sent_ns = "", None
            self.walking = result.ok
        if not result.ok:
            self.walking = False
            self.rpc_failed(f"request {result.uuid} answered status {result.status}")

    def on_robot_odom(self, msg: Any) -> None:
        try:
            odometry_to_sample(msg)
        except MalformedMessageError as err:
            self.rejected_state(f"odometry: {err}")
            return
        self.received_state(self.now_ns())

    def diagnostic_values(self, now_ns: int) -> dict[str, object]:
        values = super().diagnostic_values(now_ns)
        values.update(walking=self.walking, rpc_errors=self.rpc_errors, last_rpc_error=self.last_rpc_error)
        return values


def bridge_t1() -> T1Bridge:
    return T1Bridge()


def main(args: list[str] | None = None) -> None:
    run_node(bridge_t1, args)
