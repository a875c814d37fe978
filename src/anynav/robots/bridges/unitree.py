"""What the Go2 and H1 bridges share: Unitree DDS state in, RPC calls out, and the low-level (joint) mode.

The robot's topics are ordinary ROS topics on the wire (``rt/sportmodestate`` is
``/sportmodestate``), so both backends read them. In the velocity mode the bridge calls
the robot's high-level service; in the joint mode it releases that service through the
motion switcher and streams signed LowCmd frames from the locomotion controller's
targets, damping the robot whenever those are stale or invalid or the robot is lost.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from anynav.msgs.diagnostics import Level
from anynav.robots.bridges.core import RateLimiter
from anynav.robots.bridges.lowlevel import JointTargets, MotionSwitcher, MotorLayout
from anynav.robots.bridges.node import (
    SHUTDOWN_REPEATS,
    BridgeDefaults,
    BridgeNode,
    StateOutputs,
    choice,
)
from anynav.robots.errors import RobotInterfaceError
from anynav.robots.unitree import api
from anynav.robots.unitree.lowcmd import GO_LOW_CMD
from anynav.robots.unitree.state import (
    GO_LOW_STATE,
    SPORT_MODE_STATE,
    BatteryReading,
    decode_go_low_state,
    decode_sport_state,
)
from anynav.ros import (
    QoSProfile,
    ReliabilityPolicy,
    message_class,
    new_message,
    qos_profile_sensor_data,
)
from anynav.ros.parameters import declare

JOINT_COMMAND = "anynav_msgs/msg/JointCommand"
CONTROL_MODES = ("velocity", "joint")
VELOCITY_FRAMES = ("world", "body")
#: newest sample only, never blocks: what a 500 Hz stream wants (the robot's readers are best effort)
LATEST_ONLY = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT)
_OWN_REQUESTS = 64  #: replies are matched against this many of our latest request ids


class UnitreeBridge(BridgeNode):
    """A Go2 or H1 on Unitree DDS; subclasses name the service calls (``send_move`` ...)."""

    def __init__(
        self,
        name: str,
        robot: str,
        service: str,
        layout: MotorLayout,
        defaults: BridgeDefaults,
        damping_kd: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(name, robot, defaults, **kwargs)
        sport_topic = declare(
            self,
            "sport_state_topic",
            "/sportmodestate",
            "SportModeState topic (/lf/sportmodestate is the low-rate one)",
        )
        low_topic = declare(self, "low_state_topic", "/lowstate", "LowState topic (/lf/lowstate is the low-rate one)")
        declare(
            self,
            "sport_velocity_frame",
            "world",
            "frame of SportModeState.velocity on this firmware: world or body (check on hardware)",
        )
        self.verify_crc = declare(self, "verify_crc", True, "drop LowState samples whose CRC does not match")
        declare(
            self,
            "control_mode",
            "velocity",
            "velocity: cmd_vel → the robot's own walking controller; "
            "joint: joint targets from the locomotion controller → LowCmd",
        )
        joint_topic = declare(self, "joint_cmd_topic", "/joint_command", "anynav_msgs/JointCommand input (joint mode)")
        joint_ttl_s = declare(self, "joint_cmd_ttl_s", 0.1, "joint targets older than this: damp", 0.01, 1.0)
        low_cmd_rate_hz = declare(self, "low_cmd_rate_hz", 200.0, "LowCmd rate in the joint mode", 20.0, 1000.0)
        damping_kd = declare(self, "damping_kd", damping_kd, "kd of every motor while damping (kp = 0)", 0.1, 20.0)
        self.service = service
        self.layout = layout
        self.control_mode = choice(self, "control_mode", CONTROL_MODES)
        self.velocity_frame = choice(self, "sport_velocity_frame", VELOCITY_FRAMES)
        self.outputs = StateOutputs(self, layout.names)
        # Decoding a LowState (CRC over the packed struct) costs most of a millisecond: decode
        # only the samples that will be published, not all 500 a second.
        self._sport_due, self._low_due = RateLimiter(self.outputs.rate_hz), RateLimiter(self.outputs.rate_hz)
        self.sport_mode: int | None = None
        self.error_code = 0
        self.battery: BatteryReading | None = None
        self._own_requests: deque[int] = deque(maxlen=_OWN_REQUESTS)
        self.request_pub = self.create_publisher(message_class(api.REQUEST), api.request_topic(service), 10)
        self.create_subscription(
            message_class(SPORT_MODE_STATE), sport_topic, self.on_sport_state, qos_profile_sensor_data
        )
        self.create_subscription(message_class(GO_LOW_STATE), low_topic, self.on_low_state, qos_profile_sensor_data)
        self.create_subscription(message_class(api.RESPONSE), api.response_topic(service), self.on_service_response, 10)
        if self.control_mode == "velocity":
            self.start_velocity_control()
            self.get_logger().info(
                f"velocity mode: {self.param('cmd_vel_topic')} -> {service} service at {self.rate_hz:g} Hz; "
                f"robot state from {sport_topic} and {low_topic}"
            )
            return
        self.targets = JointTargets(layout)
        self.switcher = MotionSwitcher()
        self.joint_ttl_ns = int(joint_ttl_s * 1e9)
        self.damping = new_message(GO_LOW_CMD, **self.targets.damping(damping_kd))
        self.target_msg: Any = None
        self.target_ns = 0
        self.target_mode = ""
        self.joint_cmd_received = 0
        self.joint_cmd_dropped = 0
        self.last_joint_error = ""
        self.switcher_pub = self.create_publisher(
            message_class(api.REQUEST), api.request_topic(api.MOTION_SWITCHER_SERVICE), 10
        )
        self.create_subscription(
            message_class(api.RESPONSE),
            api.response_topic(api.MOTION_SWITCHER_SERVICE),
            self.on_switcher_response,
            10,
        )
        self.low_cmd_pub = self.create_publisher(message_class(GO_LOW_CMD), "/lowcmd", LATEST_ONLY)
        self.create_subscription(message_class(JOINT_COMMAND), joint_topic, self.on_joint_command, 10)
        self.create_timer(1.0 / low_cmd_rate_hz, self.on_low_cmd_tick)
        self.get_logger().info(
            f"joint mode: {joint_topic} -> /lowcmd at {low_cmd_rate_hz:g} Hz once the motion "
            "switcher has released the robot (on the first valid joint command)"
        )

    # --- RPC ----------------------------------------------------------------------------

    def call(self, fields: dict[str, Any], description: str) -> str:
        """Send one request to the robot's high-level service; returns ``description``."""
        if not fields["header"]["policy"]["noreply"]:
            self._own_requests.append(fields["header"]["identity"]["id"])
        self.request_pub.publish(new_message(api.REQUEST, **fields))
        return description

    def on_service_response(self, msg: Any) -> None:
        try:
            response = api.decode_response(msg)
        except RobotInterfaceError as err:
            self.rpc_failed(f"{self.service} response: {err}")
            return
        if response.request_id in self._own_requests and not response.ok:
            self.rpc_failed(f"{self.service} api {response.api_id} answered code {response.code}")

    def on_switcher_response(self, msg: Any) -> None:
        try:
            response = api.decode_response(msg)
        except RobotInterfaceError as err:
            self.rpc_failed(f"motion_switcher response: {err}")
            return
        errors = self.switcher.errors
        self.switcher.answer(response)
        if self.switcher.errors > errors:
            self.rpc_failed(self.switcher.last_error)
        elif self.switcher.released:
            self.get_logger().info("motion switcher released the robot: streaming LowCmd", once=True)

    # --- state --------------------------------------------------------------------------

    def on_sport_state(self, msg: Any) -> None:
        now = self.now_ns()
        if not self._sport_due.ready(now):
            return
        try:
            reading = decode_sport_state(msg, velocity_frame=self.velocity_frame)
        except RobotInterfaceError as err:
            self.rejected_state(f"SportModeState: {err}")
            return
        self.received_state(now)
        self.sport_mode, self.error_code = reading.mode, reading.error_code
        self.outputs.odometry(now, reading.position, reading.orientation_xyzw, reading.body_velocity, reading.yaw_rate)

    def on_low_state(self, msg: Any) -> None:
        now = self.now_ns()
        if not self._low_due.ready(now):
            return
        try:
            reading = decode_go_low_state(msg, motors=len(self.layout.joints), verify_crc=self.verify_crc)
        except RobotInterfaceError as err:
            self.rejected_state(f"LowState: {err}")
            return
        self.received_state(now)
        slots = self.layout.slots
        self.outputs.imu(now, reading.imu)
        self.outputs.joints(now, reading.q[slots], reading.dq[slots], reading.tau_est[slots])
        self.battery = reading.battery

    # --- joint mode ---------------------------------------------------------------------

    def on_joint_command(self, msg: Any) -> None:
        """Prepare the signed LowCmd of valid targets; invalid ones are counted and stop the old ones at once."""
        try:
            fields = self.targets.low_cmd(msg.name, msg.q, msg.dq, msg.tau, msg.kp, msg.kd)
        except RobotInterfaceError as err:
            self.joint_cmd_dropped += 1
            self.last_joint_error = str(err)
            self.target_msg = None
            self.get_logger().warn(
                f"dropped joint command ({self.joint_cmd_dropped} so far), damping: {err}", throttle_duration_sec=1.0
            )
            return
        self.target_msg = new_message(GO_LOW_CMD, **fields)
        self.target_ns = self.now_ns()
        self.target_mode = msg.mode
        self.joint_cmd_received += 1

    def on_low_cmd_tick(self) -> None:
        """Before release: ask the motion switcher (once targets flow). After: targets while fresh, else damping."""
        now = self.now_ns()
        if not self.switcher.released:
            request = self.switcher.request(now) if self.target_msg is not None else None
            if request is not None:
                self.switcher_pub.publish(new_message(api.REQUEST, **request))
            return
        if self.target_msg is not None and now - self.target_ns <= self.joint_ttl_ns and self.link.alive(now):
            self.low_cmd_pub.publish(self.target_msg)
            self.record_call(f"LowCmd {self.target_mode or 'targets'}")
        else:
            self.low_cmd_pub.publish(self.damping)
            self.record_call("LowCmd damping")

    def send_shutdown(self) -> None:
        if self.control_mode == "velocity":
            super().send_shutdown()
        elif self.switcher.released:
            for _ in range(SHUTDOWN_REPEATS):
                self.low_cmd_pub.publish(self.damping)
            self.record_call("LowCmd damping")

    # --- diagnostics --------------------------------------------------------------------

    def health(self, now_ns: int) -> tuple[Level, str]:
        level, message = super().health(now_ns)
        if level is not Level.OK:
            return level, message
        if self.error_code:
            return Level.WARN, f"robot reports error code {self.error_code}"
        if self.control_mode == "joint" and self.target_msg is not None and not self.switcher.released:
            service = self.switcher.active_service or "the robot"
            return Level.WARN, f"waiting for the motion switcher to release {service}"
        return level, message

    def diagnostic_values(self, now_ns: int) -> dict[str, object]:
        values = super().diagnostic_values(now_ns)
        values.update(
            control_mode=self.control_mode,
            sport_mode=self.sport_mode,
            error_code=self.error_code,
            rpc_errors=self.rpc_errors,
            last_rpc_error=self.last_rpc_error,
            battery_percent=None if self.battery is None else self.battery.soc_percent,
        )
        if self.control_mode == "joint":
            values.update(
                released=self.switcher.released,
                motion_service=self.switcher.active_service,
                joint_cmd_received=self.joint_cmd_received,
                joint_cmd_dropped=self.joint_cmd_dropped,
                last_joint_error=self.last_joint_error,
            )
        return values

    def publish_diagnostics(self) -> None:
        super().publish_diagnostics()
        if self.battery is not None:
            self.outputs.battery(
                self.now_ns(),
                self.battery.soc_percent / 100.0,
                voltage=self.battery.voltage_v,
                current=self.battery.current_a,
                cell_voltages=self.battery.cell_voltages_v[self.battery.cell_voltages_v > 0],  # unused cells read 0
            )
