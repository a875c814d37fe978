"""The vla and executor nodes on real DDS in one process, a simulated robot, and a probe recording what they publish."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import numpy as np

from anynav.language.executor_node import ExecutorNode
from anynav.language.vla_messages import ActionMessage
from anynav.language.vla_node import VlaNode
from anynav.msgs.diagnostics import status_values
from anynav.msgs.image import numpy_to_image, rgb_to_compressed
from anynav.msgs.navigation import OdometrySample, odometry_message, quaternion_from_yaw, twist_to_array
from anynav.ros import QOS_LATCHED, Node, message_class, new_message, qos_profile_sensor_data
from anynav.ros.dds.context import default_context
from anynav.ros.dds.executor import SingleThreadedExecutor
from anynav.ros.params import Parameter

ROBOT_PERIOD_S = 0.02
COMMAND_TTL_S = 0.2


class SimulatedRobot(Node):
    """A unicycle that follows /cmd_vel/language, publishing /odom at 50 Hz and a 32x24 JPEG camera at 25 Hz.

    A command older than COMMAND_TTL_S is dropped, as a robot bridge does. Each camera frame's
    colour encodes the pose, so frames kept at different places differ.
    """

    def __init__(self, camera: bool = True, raw_images: bool = False) -> None:
        super().__init__("simulated_robot")
        self.x = self.y = self.yaw = 0.0
        self.command = (0.0, 0.0)
        self.command_at = -math.inf
        self.ticks = 0
        self.camera = camera
        self.raw_images = raw_images
        self.create_subscription(message_class("geometry_msgs/msg/Twist"), "/cmd_vel/language", self.on_cmd, 10)
        self.odom_pub = self.create_publisher(message_class("nav_msgs/msg/Odometry"), "/odom", qos_profile_sensor_data)
        self.image_pub = self.create_publisher(
            message_class("sensor_msgs/msg/Image" if raw_images else "sensor_msgs/msg/CompressedImage"),
            "/camera/image_raw" if raw_images else "/camera/image_raw/compressed",
            qos_profile_sensor_data,
        )
        self.last_step = time.monotonic()
        self.create_timer(ROBOT_PERIOD_S, self.on_step)

    def on_cmd(self, msg: Any) -> None:
        vx, _, wz = twist_to_array(msg)
        self.command = (float(vx), float(wz))
        self.command_at = time.monotonic()

    def on_step(self) -> None:
        now = time.monotonic()
        dt, self.last_step = now - self.last_step, now
        vx, wz = self.command if now - self.command_at <= COMMAND_TTL_S else (0.0, 0.0)
        self.x += vx * math.cos(self.yaw) * dt
        self.y += vx * math.sin(self.yaw) * dt
        self.yaw += wz * dt
        stamp_ns = self.get_clock().now().nanoseconds
        sample = OdometrySample(
            stamp_ns,
            "odom",
            "base_link",
            np.array([self.x, self.y, 0.0]),
            quaternion_from_yaw(self.yaw),
            np.array([vx, 0.0, 0.0]),
            np.array([0.0, 0.0, wz]),
        )
        self.odom_pub.publish(odometry_message(sample))
        self.ticks += 1
        if self.camera and self.ticks % 2 == 0:
            shade = (
                60 + int(self.x * 400) % 196,
                60 + int(self.y * 400) % 196,
                60 + int(math.degrees(self.yaw) * 4) % 196,
            )
            rgb = np.full((24, 32, 3), shade, np.uint8)
            image = numpy_to_image(rgb, "rgb8", "camera", stamp_ns) if self.raw_images else None
            self.image_pub.publish(image or rgb_to_compressed(rgb, "camera", stamp_ns))


@dataclass
class Record:
    """Everything the probe heard, each with the time.monotonic() it arrived."""

    twists: list[tuple[float, tuple[float, float]]] = field(default_factory=list)
    actions: list[tuple[float, ActionMessage]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    executor_status: list[tuple[float, dict[str, str], str]] = field(default_factory=list)
    vla_status: list[tuple[float, dict[str, str], str]] = field(default_factory=list)


class Probe(Node):
    """Publishes instructions and the e-stop like an operator; records the language nodes' output."""

    def __init__(self) -> None:
        super().__init__("probe")
        string = message_class("std_msgs/msg/String")
        self.record = Record()
        self.instruction_pub = self.create_publisher(string, "/instruction", QOS_LATCHED)
        self.estop_pub = self.create_publisher(message_class("std_msgs/msg/Bool"), "/estop", QOS_LATCHED)
        self.actions_pub = self.create_publisher(string, "/vla/action", 10)
        self.create_subscription(message_class("geometry_msgs/msg/Twist"), "/cmd_vel/language", self.on_twist, 100)
        self.create_subscription(string, "/vla/action", self.on_action, 100)
        self.create_subscription(string, "/vla/raw", lambda msg: self.record.raw.append(msg.data), 100)
        self.create_subscription(
            message_class("diagnostic_msgs/msg/DiagnosticArray"), "/diagnostics", self.on_diagnostics, 100
        )

    def on_twist(self, msg: Any) -> None:
        vx, _, wz = twist_to_array(msg)
        self.record.twists.append((time.monotonic(), (round(float(vx), 6), round(float(wz), 6))))

    def on_action(self, msg: Any) -> None:
        self.record.actions.append((time.monotonic(), ActionMessage.from_json(msg.data)))

    def on_diagnostics(self, msg: Any) -> None:
        for status in msg.status:
            values = status_values(status)
            target = self.record.executor_status if "outcome" in values else self.record.vla_status
            target.append((time.monotonic(), values, status.message))

    def instruct(self, text: str) -> float:
        self.instruction_pub.publish(new_message("std_msgs/msg/String", data=text))
        return time.monotonic()

    def estop(self, pressed: bool) -> float:
        self.estop_pub.publish(new_message("std_msgs/msg/Bool", data=pressed))
        return time.monotonic()

    def outcome(self) -> str:
        """The executor's latest reported outcome ('' before any report)."""
        return self.record.executor_status[-1][1]["outcome"] if self.record.executor_status else ""


FAST_EXECUTOR = {"forward_speed_mps": 1.0, "turn_rate_radps": 1.0, "watchdog_s": 2.0, "stop_hold_s": 0.3}
"""Executor settings that keep scripted walks short: 25 cm in 0.25 s, 15 degrees in 0.26 s."""


class LanguageGraph:
    """vla + executor + simulated robot + probe in one executor; ``spin_until`` drives them."""

    def __init__(
        self,
        server: str,
        vla: dict[str, Any] | None = None,
        executor: dict[str, Any] | None = None,
        camera: bool = True,
        raw_images: bool = False,
    ) -> None:
        default_context.init([])
        vla_params = {"server": server, "timeout_s": 1.0, "image_size": 32, **(vla or {})}
        executor_params = {**FAST_EXECUTOR, **(executor or {})}
        self.vla = VlaNode(parameter_overrides=[Parameter(k, v) for k, v in vla_params.items()])
        self.executor_node = ExecutorNode(parameter_overrides=[Parameter(k, v) for k, v in executor_params.items()])
        self.robot = SimulatedRobot(camera, raw_images)
        self.probe = Probe()
        self.spinner = SingleThreadedExecutor()
        for node in (self.vla, self.executor_node, self.robot, self.probe):
            self.spinner.add_node(node)

    @property
    def record(self) -> Record:
        return self.probe.record

    def spin_until(self, predicate: Callable[[], bool], timeout_s: float) -> bool:
        return self.spinner.spin_until(predicate, timeout_s)

    def spin_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        self.spinner.spin_until(lambda: time.monotonic() >= end, seconds + 1.0)

    def wait_ready(self) -> None:
        """Until the camera has reached the vla node and the probe's instruction writer is matched."""
        assert self.spin_until(
            lambda: (
                self.vla.history.latest_stamp is not None
                and self.probe.instruction_pub.get_subscription_count() > 0
                and self.probe.estop_pub.get_subscription_count() > 0
            ),
            5.0,
        ), "graph did not come up"

    def close(self) -> None:
        for node in (self.probe, self.robot, self.executor_node, self.vla):
            self.spinner.remove_node(node)
            for publisher in list(node.publishers):  # latched writers must not outlive the test
                node.destroy_publisher(publisher)
            node.destroy_node()
        self.vla = self.executor_node = self.robot = self.probe = None  # type: ignore[assignment]
        gc.collect()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def motion_runs(twists: list[tuple[float, tuple[float, float]]]) -> list[tuple[float, float]]:
    """The distinct non-zero velocities commanded, in order (repeats of the same one merged)."""
    runs: list[tuple[float, float]] = []
    previous = (0.0, 0.0)
    for _, velocity in twists:
        if velocity != (0.0, 0.0) and velocity != previous:
            runs.append(velocity)
        previous = velocity
    return runs
