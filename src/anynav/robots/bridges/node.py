"""The shell every robot bridge shares: /cmd_vel in with a time-to-live, robot link watch, state out, stop on exit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from anynav.control.velocity import Velocity
from anynav.msgs.diagnostics import DIAGNOSTIC_ARRAY, Check, Level, diagnostic_array
from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.navigation import (
    ImuSample,
    OdometrySample,
    imu_message,
    odometry_message,
    transform_stamped,
    twist_to_array,
)
from anynav.msgs.time import header
from anynav.robots.bridges.core import (
    Action,
    CommandGate,
    LinkMonitor,
    LinkState,
    VelocityLimits,
)
from anynav.robots.errors import ConfigError
from anynav.robots.unitree.state import ImuReading
from anynav.ros import (
    QOS_LATCHED,
    Node,
    message_class,
    new_message,
    qos_profile_sensor_data,
)
from anynav.ros.parameters import declare

SHUTDOWN_ACTIONS = ("stop", "damp")
TWIST = "geometry_msgs/msg/Twist"
TWIST_STAMPED = "geometry_msgs/msg/TwistStamped"
_LEVELS = {LinkState.OK: Level.OK, LinkState.WAITING: Level.WARN, LinkState.LOST: Level.ERROR}
#: frames sent on the way out: one may be lost, the robot must still stop
SHUTDOWN_REPEATS = 3


def choice(node: Node, name: str, choices: Sequence[str]) -> str:
    """The value of string parameter ``name``; ConfigError (the node does not start) unless one of ``choices``."""
    value = node.get_parameter(name).value
    if value not in choices:
        raise ConfigError(f"node {node.get_name()!r}: parameter {name}: {value!r} is not one of {list(choices)}")
    return value


@dataclass(frozen=True)
class BridgeDefaults:
    """Per-robot defaults of the shared parameters (config/<robot>.yaml usually sets them anyway)."""

    rate_hz: float
    limits: VelocityLimits


class BridgeNode(Node):
    """Velocity commands in, the robot's stop call when they go stale, link health out on /diagnostics.

    Subclasses own the vendor interface: ``send_move``, ``send_stop``, ``send_damp`` (and
    ``send_idle`` for robots that need a steady stream) return a short description of the
    call for diagnostics. They call ``received_state`` for every valid robot state sample
    and ``rejected_state`` for every malformed one, and ``rpc_failed`` for a call the robot
    refused. On ``destroy_node`` the bridge sends the stop or damp call named by ``shutdown_action``.
    """

    def __init__(self, name: str, robot: str, defaults: BridgeDefaults, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.robot = robot
        declare(self, "cmd_vel_topic", "/cmd_vel", "velocity command input (from the mux)")
        declare(self, "cmd_vel_stamped", False, "cmd_vel is TwistStamped, not Twist")
        cmd_ttl_s = declare(self, "cmd_ttl_s", 0.5, "a command older than this is not sent; stop instead", 0.05, 5.0)
        state_ttl_s = declare(self, "state_ttl_s", 0.5, "no valid robot state for this long = robot lost", 0.05, 10.0)
        self.rate_hz = declare(self, "rate_hz", defaults.rate_hz, "rate of velocity commands to the robot", 1.0, 500.0)
        default = defaults.limits
        limits = (
            declare(self, "max_forward_mps", default.max_forward_mps, "largest forward speed sent", 0.0, 3.0),
            declare(self, "max_backward_mps", default.max_backward_mps, "largest backward speed sent", 0.0, 3.0),
            declare(self, "max_lateral_mps", default.max_lateral_mps, "largest sideways speed sent", 0.0, 2.0),
            declare(self, "max_yaw_rate", default.max_yaw_rate, "largest |yaw rate| sent, rad/s", 0.0, 4.0),
        )
        diagnostics_period_s = declare(
            self, "diagnostics_period_s", 1.0, "period of /diagnostics (and /battery)", 0.1, 10.0
        )
        declare(self, "shutdown_action", "stop", "call sent on shutdown: stop or damp")
        self.shutdown_action = choice(self, "shutdown_action", SHUTDOWN_ACTIONS)
        self.gate = CommandGate(VelocityLimits(*limits), cmd_ttl_s)
        self.link = LinkMonitor(state_ttl_s)
        self.calls: Counter[str] = Counter()
        self.last_call = "none"
        self.cmd_vel_dropped = 0
        self.rpc_errors = 0
        self.last_rpc_error = ""
        self._shut_down = False
        self._reported_link = LinkState.WAITING
        self.diagnostics_pub = self.create_publisher(message_class(DIAGNOSTIC_ARRAY), "/diagnostics", 10)
        self.create_timer(diagnostics_period_s, self.publish_diagnostics)

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def param(self, name: str) -> Any:
        return self.get_parameter(name).value

    # --- velocity commands --------------------------------------------------------------

    def start_velocity_control(self) -> None:
        """Subscribe to cmd_vel and send the robot a command every 1/rate_hz (the velocity mode)."""
        stamped = self.param("cmd_vel_stamped")
        self.create_subscription(
            message_class(TWIST_STAMPED if stamped else TWIST),
            self.param("cmd_vel_topic"),
            self.on_cmd_vel,
            10,
        )
        self.create_timer(1.0 / self.rate_hz, self.on_control_tick)

    def on_cmd_vel(self, msg: Any) -> None:
        try:
            vx, vy, wz = twist_to_array(msg)
        except MalformedMessageError as err:
            self.cmd_vel_dropped += 1
            self.get_logger().warn(f"dropped cmd_vel ({self.cmd_vel_dropped} so far): {err}", throttle_duration_sec=1.0)
            return
        self.gate.command(Velocity(float(vx), float(vy), float(wz)), self.now_ns())

    def on_control_tick(self) -> None:
        now = self.now_ns()
        tick = self.gate.tick(now, self.link.alive(now))
        if tick.action is Action.MOVE:
            self.record_call(self.send_move(tick.velocity))
        elif tick.action is Action.STOP:
            self.record_call(self.send_stop())
        else:
            self.send_idle()

    def record_call(self, description: str) -> None:
        """Remember the last call sent to the robot (shown in /diagnostics)."""
        self.calls[description.split("(")[0]] += 1
        self.last_call = description

    def rpc_failed(self, reason: str) -> None:
        """Count a call the robot refused (or answered unreadably) and warn, throttled."""
        self.rpc_errors += 1
        self.last_rpc_error = reason
        self.get_logger().warn(f"robot refused a call ({self.rpc_errors} so far): {reason}", throttle_duration_sec=1.0)

    def send_move(self, velocity: Velocity) -> str:
        raise NotImplementedError

    def send_stop(self) -> str:
        raise NotImplementedError

    def send_damp(self) -> str:
        raise NotImplementedError

    def send_idle(self) -> None:
        """Nothing by default: robots with an RPC interface keep their last call."""

    def send_shutdown(self) -> None:
        """The call that leaves the robot safe when the bridge goes away."""
        self.record_call(self.send_damp() if self.shutdown_action == "damp" else self.send_stop())

    def destroy_node(self) -> None:
        if not self._shut_down:
            self._shut_down = True
            self.send_shutdown()
            self.get_logger().info(f"shutting down: sent {self.last_call}")
        super().destroy_node()

    # --- robot state and health ---------------------------------------------------------

    def received_state(self, now_ns: int) -> None:
        self.link.received(now_ns)

    def rejected_state(self, reason: str, count: int = 1) -> None:
        """Count a malformed robot state sample (dropped, never published) and warn, throttled."""
        self.link.rejected(reason, count)
        self.get_logger().warn(
            f"dropped malformed robot state ({self.link.bad_frames} so far): {reason}", throttle_duration_sec=1.0
        )

    def _log_link_change(self, now_ns: int) -> None:
        state = self.link.state(now_ns)
        if state is self._reported_link:
            return
        self._reported_link = state
        if state is LinkState.OK:
            self.get_logger().info(f"{self.robot} is talking: robot link ok")
        else:
            self.get_logger().error(self.link.describe(now_ns))

    def health(self, now_ns: int) -> tuple[Level, str]:
        """Level and sentence of the robot link; subclasses add their own conditions."""
        return _LEVELS[self.link.state(now_ns)], self.link.describe(now_ns)

    def diagnostic_values(self, now_ns: int) -> dict[str, object]:
        """Key values shown under the status; subclasses extend them."""
        age = self.link.age_s(now_ns)
        command_age = float("inf") if self.gate.received_ns is None else (now_ns - self.gate.received_ns) / 1e9
        return {
            "link": self.link.state(now_ns).value,
            "state_age_s": age,
            "state_samples": self.link.samples,
            "bad_frames": self.link.bad_frames,
            "last_bad_frame": self.link.last_bad_frame,
            "last_command": self.last_call,
            "calls": ", ".join(f"{name}: {count}" for name, count in sorted(self.calls.items())),
            "cmd_vel_received": self.gate.received,
            "cmd_vel_age_s": command_age,
            "cmd_vel_dropped": self.cmd_vel_dropped,
            "stops": self.gate.stops,
        }

    def publish_diagnostics(self) -> None:
        now = self.now_ns()
        self._log_link_change(now)
        level, message = self.health(now)
        check = Check(f"{self.get_name()}: robot link", level, message, self.diagnostic_values(now))
        self.diagnostics_pub.publish(diagnostic_array([check], now, hardware_id=self.robot))


class StateOutputs:
    """Robot state as the graph expects it: /odom (+ /tf odom→base_link), /imu/data, /joint_states, /battery.

    Robot state arrives at up to 500 Hz; bridges publish (and decode) at most ``rate_hz``
    samples a second of each kind.
    """

    def __init__(self, node: BridgeNode, joint_names: Sequence[str]) -> None:
        self.odom_frame = declare(node, "odom_frame", "odom", "frame of /odom (REP-105)")
        self.base_frame = declare(node, "base_frame", "base_link", "child frame of /odom")
        self.imu_frame = declare(node, "imu_frame", "imu_link", "frame of /imu/data")
        publish_tf = declare(
            node, "publish_tf", True, "publish odom→base_link on /tf (false when an EKF owns that transform)"
        )
        publish_imu_tf = declare(
            node,
            "publish_imu_tf",
            True,
            "publish base_frame→imu_frame (identity) on /tf_static; false when a URDF provides it",
        )
        self.rate_hz = declare(
            node, "publish_rate_hz", 50.0, "largest rate of /odom, /imu/data, /joint_states", 1.0, 500.0
        )
        self.joint_names = list(joint_names)
        self.odom_pub = node.create_publisher(message_class("nav_msgs/msg/Odometry"), "/odom", 10)
        self.tf_pub = node.create_publisher(message_class("tf2_msgs/msg/TFMessage"), "/tf", 100) if publish_tf else None
        self.imu_pub = node.create_publisher(message_class("sensor_msgs/msg/Imu"), "/imu/data", qos_profile_sensor_data)
        self.joint_pub = (
            node.create_publisher(message_class("sensor_msgs/msg/JointState"), "/joint_states", 10)
            if self.joint_names
            else None
        )
        self.battery_pub = node.create_publisher(message_class("sensor_msgs/msg/BatteryState"), "/battery", 10)
        if publish_imu_tf and self.imu_frame != self.base_frame:
            static = node.create_publisher(message_class("tf2_msgs/msg/TFMessage"), "/tf_static", QOS_LATCHED)
            static.publish(
                new_message(
                    "tf2_msgs/msg/TFMessage",
                    transforms=[
                        transform_stamped(
                            self.base_frame, self.imu_frame, np.zeros(3), np.array([0, 0, 0, 1.0]), node.now_ns()
                        )
                    ],
                )
            )

    def odometry(
        self,
        now_ns: int,
        position: np.ndarray,
        orientation_xyzw: np.ndarray,
        body_velocity: np.ndarray,
        yaw_rate: float,
    ) -> None:
        """/odom with the body-frame twist, and the same pose on /tf."""
        sample = OdometrySample(
            stamp_ns=now_ns,
            frame_id=self.odom_frame,
            child_frame_id=self.base_frame,
            position=position,
            orientation=orientation_xyzw,
            linear_velocity=body_velocity,
            angular_velocity=np.array([0.0, 0.0, yaw_rate]),
        )
        self.odom_pub.publish(odometry_message(sample))
        if self.tf_pub is not None:
            transform = transform_stamped(self.odom_frame, self.base_frame, position, orientation_xyzw, now_ns)
            self.tf_pub.publish(new_message("tf2_msgs/msg/TFMessage", transforms=[transform]))

    def imu(self, now_ns: int, reading: ImuReading) -> None:
        sample = ImuSample(now_ns, reading.orientation_xyzw, reading.angular_velocity, reading.linear_acceleration)
        self.imu_pub.publish(imu_message(sample, self.imu_frame))

    def joints(self, now_ns: int, q: np.ndarray, dq: np.ndarray, effort: np.ndarray) -> None:
        """/joint_states in ``joint_names`` order (the arrays must be in that order)."""
        if self.joint_pub is None:
            return
        self.joint_pub.publish(
            new_message(
                "sensor_msgs/msg/JointState",
                header=header("", now_ns),
                name=self.joint_names,
                position=np.asarray(q, dtype=np.float64),
                velocity=np.asarray(dq, dtype=np.float64),
                effort=np.asarray(effort, dtype=np.float64),
            )
        )

    def battery(
        self,
        now_ns: int,
        percentage: float,
        *,
        voltage: float = float("nan"),
        current: float = float("nan"),
        cell_voltages: Sequence[float] = (),
    ) -> None:
        """sensor_msgs/BatteryState; percentage in [0, 1], NaN for what the robot does not report."""
        battery_class = message_class("sensor_msgs/msg/BatteryState")
        self.battery_pub.publish(
            new_message(
                "sensor_msgs/msg/BatteryState",
                header=header(self.base_frame, now_ns),
                voltage=float(voltage),
                temperature=float("nan"),
                current=float(current),
                charge=float("nan"),
                capacity=float("nan"),
                design_capacity=float("nan"),
                percentage=float(percentage),
                power_supply_status=battery_class.POWER_SUPPLY_STATUS_UNKNOWN,
                power_supply_health=battery_class.POWER_SUPPLY_HEALTH_UNKNOWN,
                power_supply_technology=battery_class.POWER_SUPPLY_TECHNOLOGY_LION,
                present=True,
                cell_voltage=np.asarray(cell_voltages, dtype=np.float32),
            )
        )
