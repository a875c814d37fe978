"""A Booster T1 on DDS without the robot: answers LocoApiTopicReq and publishes its odometry."""

from __future__ import annotations

from typing import Any

import numpy as np

from anynav.msgs.navigation import OdometrySample, odometry_message, quaternion_from_yaw
from anynav.robots.booster import loco
from anynav.robots.emulators.booster import T1Emulator, T1EmulatorConfig
from anynav.robots.emulators.unitree_node import ROBOT_READER, ROBOT_WRITER
from anynav.ros import Node, message_class, new_message, run_node
from anynav.ros.parameters import declare


class T1EmulatorNode(Node):
    """Plays a Booster T1's loco service for tests and demo launches; odometry on /odom."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("t1_emulator", **kwargs)
        odom_rate_hz = declare(self, "odom_rate_hz", 50.0, "/odom publish rate", 1.0, 500.0)
        config = T1EmulatorConfig(
            move_hold_s=declare(self, "move_hold_s", 0.0, "how long a Move lasts; 0 = until the next", 0.0, 60.0),
            max_speed_mps=declare(self, "max_speed_mps", 1.0, "faster Move requests are rejected", 0.1, 3.0),
            max_yaw_rate=declare(self, "max_yaw_rate", 1.5, "faster turn requests are rejected", 0.1, 5.0),
        )
        self.robot = T1Emulator(config, self._now())
        self.response_pub = self.create_publisher(message_class(loco.RESPONSE), loco.RESPONSE_TOPIC, ROBOT_WRITER)
        self.create_subscription(message_class(loco.REQUEST), loco.REQUEST_TOPIC, self.on_request, ROBOT_READER)
        self.odom_pub = self.create_publisher(message_class("nav_msgs/msg/Odometry"), "/odom", ROBOT_WRITER)
        self.create_timer(1.0 / odom_rate_hz, self.publish_odometry)

    def _now(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_request(self, msg: Any) -> None:
        response = self.robot.handle_request(msg, self._now())
        self.response_pub.publish(new_message(loco.RESPONSE, **response))
        if self.robot.rejected:
            self.get_logger().warn(f"rejected: {self.robot.last_rejection}", throttle_duration_sec=1.0)

    def publish_odometry(self) -> None:
        now = self._now()
        odometer = self.robot.odometer(now)
        vx, vy, vyaw = self.robot.velocity(now)
        sample = OdometrySample(
            stamp_ns=now,
            frame_id="odom",
            child_frame_id="base_link",
            position=np.array([odometer["x"], odometer["y"], 0.0]),
            orientation=quaternion_from_yaw(odometer["theta"]),
            linear_velocity=np.array([vx, vy, 0.0]),
            angular_velocity=np.array([0.0, 0.0, vyaw]),
        )
        self.odom_pub.publish(odometry_message(sample))


def t1_emulator() -> T1EmulatorNode:
    return T1EmulatorNode()


def main(args: list[str] | None = None) -> None:
    run_node(t1_emulator, args)
