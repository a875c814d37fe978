"""The follower node: the latest /policy/waypoints path to /cmd_vel/autonomy at a fixed rate, zero once it is stale.

Every period it steers to the configured waypoint of the latest path (v = dx/dt_s,
w = atan2(dy, dx)/dt_s), saturates v and w together, limits the acceleration and publishes
a Twist. A path older than `path_ttl_s` (by its stamp, the camera frame it was predicted
from), a path in another frame than `base_frame`, or a malformed path gives zero.
"""

from __future__ import annotations

from typing import Any

from anynav.control.errors import PathError
from anynav.control.follower import Follower, FollowerConfig
from anynav.msgs.diagnostics import DIAGNOSTIC_ARRAY, Check, Level, diagnostic_array
from anynav.msgs.errors import MessageError
from anynav.msgs.navigation import path_to_arrays, twist_message
from anynav.msgs.time import stamp_to_ns
from anynav.ros import Node, message_class, run_node
from anynav.ros.parameters import declare


class FollowerNode(Node):
    """Runs the Follower core at `rate_hz` and publishes its command; logs when it starts and stops following."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("follower", **kwargs)
        d = FollowerConfig()
        config = FollowerConfig(
            rate_hz=declare(self, "rate_hz", d.rate_hz, "control loop rate, Hz", 10.0, 100.0),
            waypoint_index=declare(self, "waypoint_index", d.waypoint_index, "waypoint of the path to steer to", 0, 63),
            dt_s=declare(self, "dt_s", d.dt_s, "the chosen waypoint is reached in this time, s", 0.01, 5.0),
            max_linear_mps=declare(self, "max_linear_mps", d.max_linear_mps, "largest |vx|, m/s", 0.01, 5.0),
            max_angular_rps=declare(self, "max_angular_rps", d.max_angular_rps, "largest |wz|, rad/s", 0.01, 10.0),
            max_linear_accel_mps2=declare(
                self,
                "max_linear_accel_mps2",
                d.max_linear_accel_mps2,
                "largest change of vx per second, m/s^2",
                0.01,
                50.0,
            ),
            max_angular_accel_rps2=declare(
                self,
                "max_angular_accel_rps2",
                d.max_angular_accel_rps2,
                "largest change of wz per second, rad/s^2",
                0.01,
                100.0,
            ),
            allow_reverse=declare(self, "allow_reverse", d.allow_reverse, "drive backwards to waypoints behind"),
            path_ttl_s=declare(self, "path_ttl_s", d.path_ttl_s, "a path older than this gives zero, s", 0.01, 10.0),
        )
        self.base_frame = declare(self, "base_frame", "base_link", "frame the path must be in")
        diagnostic_period = declare(self, "diagnostic_period_s", 1.0, "/diagnostics period, s", 0.05, 60.0)
        self.follower = Follower(config)
        self.reason = "no path"
        self.paths = 0
        self.cmd_pub = self.create_publisher(message_class("geometry_msgs/msg/Twist"), "/cmd_vel/autonomy", 10)
        self.diag_pub = self.create_publisher(message_class(DIAGNOSTIC_ARRAY), "/diagnostics", 10)
        self.create_subscription(message_class("nav_msgs/msg/Path"), "/policy/waypoints", self.on_path, 10)
        self.create_timer(1.0 / config.rate_hz, self.on_tick)
        self.create_timer(diagnostic_period, self.on_report)
        self.get_logger().info(
            f"following waypoint {config.waypoint_index} of /policy/waypoints at {config.rate_hz:g} Hz, "
            f"|v| <= {config.max_linear_mps:g} m/s, |w| <= {config.max_angular_rps:g} rad/s, "
            f"path ttl {config.path_ttl_s:g} s"
        )

    def on_path(self, msg: Any) -> None:
        frame = msg.header.frame_id.lstrip("/")
        try:
            if frame != self.base_frame:
                raise PathError(f"path in frame {frame!r}, expected {self.base_frame!r}")
            positions, _ = path_to_arrays(msg)
            self.follower.set_path(positions[:, :2], stamp_to_ns(msg.header.stamp))
        except (PathError, MessageError) as exc:
            self.follower.clear()
            self.get_logger().warn(f"path dropped, stopping: {exc}", throttle_duration_sec=2.0)
            return
        self.paths += 1

    def on_tick(self) -> None:
        output = self.follower.step(self.get_clock().now().nanoseconds)
        command = output.command
        self.cmd_pub.publish(twist_message(command.vx, command.vy, command.wz))
        if bool(output.reason) != bool(self.reason):
            self.get_logger().info(f"stopping: {output.reason}" if output.reason else "following the path")
        self.reason = output.reason

    def on_report(self) -> None:
        now = self.get_clock().now().nanoseconds
        level = Level.WARN if self.reason else Level.OK
        check = Check("follower: path", level, self.reason or "following", {"paths_received": self.paths})
        self.diag_pub.publish(diagnostic_array([check], now))


def follower() -> FollowerNode:
    return FollowerNode()


def main(args: list[str] | None = None) -> None:
    run_node(follower, args)
