"""A Go2 or H1 on DDS without the robot: serves its RPC topics, takes LowCmd, publishes its state topics.

Topics are the robot's own (``rt/api/<service>/request`` ... in DDS names), so a bridge
node cannot tell this from a real Go2/H1 on the same domain.
"""

from __future__ import annotations

from typing import Any

from anynav.robots.emulators.unitree import UnitreeEmulator, UnitreeEmulatorConfig
from anynav.robots.unitree import api
from anynav.robots.unitree.lowcmd import GO_LOW_CMD
from anynav.robots.unitree.state import GO_LOW_STATE, SPORT_MODE_STATE
from anynav.ros import (
    Node,
    QoSProfile,
    ReliabilityPolicy,
    message_class,
    new_message,
    run_node,
)
from anynav.ros.parameters import declare

#: the robot's readers: best effort, so both reliable and best-effort writers reach them (unitree_sdk2 defaults)
ROBOT_READER = QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT)
#: the robot's writers: reliable, keep last 1
ROBOT_WRITER = QoSProfile(depth=1)


class UnitreeEmulatorNode(Node):
    """Plays a Go2 (sport service) or an H1 (loco service) for tests and demo launches."""

    def __init__(self, robot: str, **kwargs: Any) -> None:
        super().__init__(f"{robot}_emulator", **kwargs)
        sport_rate_hz = declare(self, "sport_state_rate_hz", 50.0, "SportModeState publish rate", 1.0, 500.0)
        low_rate_hz = declare(self, "low_state_rate_hz", 100.0, "LowState publish rate", 1.0, 500.0)
        config = UnitreeEmulatorConfig(
            robot=robot,  # type: ignore[arg-type]
            move_hold_s=declare(self, "move_hold_s", 0.0, "how long a Move lasts; 0 = until StopMove", 0.0, 60.0),
            max_speed_mps=declare(self, "max_speed_mps", 3.0, "faster Move requests are rejected", 0.1, 5.0),
            max_yaw_rate=declare(self, "max_yaw_rate", 4.0, "faster turn requests are rejected", 0.1, 10.0),
            body_height_m=declare(self, "body_height_m", 0.32 if robot == "go2" else 1.05, "standing height", 0.1, 1.5),
        )
        self.robot = UnitreeEmulator(config, self._now())
        request_class = message_class(api.REQUEST)
        self._responses = {}
        for service in (config.service, api.MOTION_SWITCHER_SERVICE):
            self._responses[service] = self.create_publisher(
                message_class(api.RESPONSE), api.response_topic(service), ROBOT_WRITER
            )
            self.create_subscription(
                request_class,
                api.request_topic(service),
                lambda msg, s=service: self.on_request(s, msg),
                ROBOT_READER,
            )
        self.create_subscription(message_class(GO_LOW_CMD), "/lowcmd", self.on_low_cmd, ROBOT_READER)
        self.sport_pub = self.create_publisher(message_class(SPORT_MODE_STATE), "/sportmodestate", ROBOT_WRITER)
        self.low_pub = self.create_publisher(message_class(GO_LOW_STATE), "/lowstate", ROBOT_WRITER)
        self.create_timer(1.0 / sport_rate_hz, self.publish_sport_state)
        self.create_timer(1.0 / low_rate_hz, self.publish_low_state)
        self._reported = 0

    def _now(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_request(self, service: str, msg: Any) -> None:
        response = self.robot.handle_request(service, msg, self._now())
        if response is not None:
            self._responses[service].publish(new_message(api.RESPONSE, **response))
        self._report()

    def on_low_cmd(self, msg: Any) -> None:
        self.robot.handle_low_cmd(msg, self._now())
        self._report()

    def publish_sport_state(self) -> None:
        self.sport_pub.publish(new_message(SPORT_MODE_STATE, **self.robot.sport_state(self._now())))

    def publish_low_state(self) -> None:
        self.low_pub.publish(new_message(GO_LOW_STATE, **self.robot.low_state(self._now())))

    def _report(self) -> None:
        """Warn (throttled) whenever something was rejected: a bridge bug should be loud."""
        total = sum(self.robot.rejected.values())
        if total > self._reported:
            self._reported = total
            self.get_logger().warn(
                f"rejected ({total} so far): {self.robot.last_rejection}",
                throttle_duration_sec=1.0,
            )


def go2_emulator() -> UnitreeEmulatorNode:
    return UnitreeEmulatorNode("go2")


def h1_emulator() -> UnitreeEmulatorNode:
    return UnitreeEmulatorNode("h1")


def main_go2(args: list[str] | None = None) -> None:
    run_node(go2_emulator, args)


def main_h1(args: list[str] | None = None) -> None:
    run_node(h1_emulator, args)
