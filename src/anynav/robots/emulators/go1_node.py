"""A Go1 for demo launches: runs the UDP emulator on the robot's port and logs what it saw."""

from __future__ import annotations

from typing import Any

from anynav.robots.emulators.go1_udp import Go1EmulatorConfig, Go1UdpEmulator
from anynav.ros import Node, run_node
from anynav.ros.parameters import declare


class Go1EmulatorNode(Node):
    """Hosts Go1UdpEmulator; a Go1 bridge pointed at host:port talks to it as to the robot."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("go1_emulator", **kwargs)
        self.emulator = Go1UdpEmulator(
            Go1EmulatorConfig(
                host=declare(self, "host", "127.0.0.1", "IPv4 address to listen on"),
                port=declare(self, "port", 8082, "UDP port (the Go1's is 8082)", 1, 65535),
                max_run_s=declare(
                    self, "max_run_s", 3600.0, "the emulator stops by itself after this long", 1.0, 3600.0
                ),
            )
        ).start()
        self.get_logger().info(f"Go1 emulator listening on {self.emulator.address[0]}:{self.emulator.address[1]}")
        self.create_timer(5.0, self.report)

    def report(self) -> None:
        robot = self.emulator.robot
        pose = robot.pose
        self.get_logger().info(
            f"{robot.good_frames} good frames, bad: {dict(robot.bad_frames) or 'none'}; "
            f"pose x={pose.x:.2f} y={pose.y:.2f} yaw={pose.yaw:.2f}"
        )

    def destroy_node(self) -> None:
        self.emulator.stop()
        super().destroy_node()


def go1_emulator() -> Go1EmulatorNode:
    return Go1EmulatorNode()


def main(args: list[str] | None = None) -> None:
    run_node(go1_emulator, args)
