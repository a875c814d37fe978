"""The `executor` node: each /instruction as velocity segments on /cmd_vel/language, asking the vla node for actions.

/instruction (latched String; empty text cancels) starts an instruction and pre-empts the one
running; /estop (latched Bool) true stops at once and refuses instructions while pressed. The
node asks on /vla/query and executes the answers from /vla/action; the ActionExecutor core does
the rest: segments timed from the action's magnitude, ended early by /odom, a watchdog on every
query. While an instruction runs the node publishes at ``rate_hz`` (zero while it waits for the
VLA); after it ends it repeats zero for ``stop_hold_s`` and then falls silent, so the twist mux
can hand the robot to a lower-priority input.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

from anynav.language.config import ExecutorConfig
from anynav.language.errors import ProtocolError
from anynav.language.executor import ActionExecutor, ExecutorOutput, ExecutorState
from anynav.language.motion import Pose2D
from anynav.language.odometry import LatestPose
from anynav.language.vla_messages import EXACT_PARSER, ActionMessage, QueryMessage, canonical_reply
from anynav.msgs.diagnostics import Check, Level, diagnostic_array
from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.navigation import twist_message
from anynav.ros import (
    QOS_LATCHED,
    Node,
    QoSProfile,
    message_class,
    new_message,
    qos_profile_sensor_data,
    run_node,
)
from anynav.ros.parameters import declare

ACTIVE = (ExecutorState.QUERYING, ExecutorState.EXECUTING)
DIAGNOSTICS_PERIOD_S = 1.0


class ExecutorNode(Node):
    """Turns VLA actions into velocity segments for the twist mux's language input."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("executor", **kwargs)
        rate_hz = float(
            declare(self, "rate_hz", 50.0, "velocity command rate while an instruction runs (Hz)", 1.0, 200.0)
        )
        config = ExecutorConfig(
            forward_speed_mps=float(
                declare(self, "forward_speed_mps", 0.5, "|vx| of forward segments (NaVILA: 0.5 m/s)", 0.01, 2.0)
            ),
            turn_rate_radps=float(
                declare(self, "turn_rate_radps", float(math.pi / 6.0), "|wz| of turns (NaVILA: pi/6 rad/s)", 0.01, 4.0)
            ),
            closed_loop=bool(
                declare(self, "closed_loop", True, "end a segment when odometry shows the distance or angle reached")
            ),
            timeout_factor=float(
                declare(
                    self,
                    "timeout_factor",
                    1.5,
                    "closed loop: a segment ends at this multiple of its nominal time",
                    1.0,
                    5.0,
                )
            ),
            query_timeout_s=float(
                declare(
                    self,
                    "watchdog_s",
                    12.0,
                    "no answer from the vla node within this time: stop and fail (keep above the vla's retries)",
                    0.05,
                    600.0,
                )
            ),
            max_parse_failures=int(
                declare(self, "max_parse_failures", 3, "replies without an action re-asked before failing", 0, 100)
            ),
        )
        odom_timeout_s = float(
            declare(
                self,
                "odom_timeout_s",
                0.5,
                "odometry older than this is not used (segments run open loop)",
                0.01,
                10.0,
            )
        )
        self.stop_hold_s = float(
            declare(
                self,
                "stop_hold_s",
                1.0,
                "after an instruction ends, zero is repeated this long, then silence",
                0.0,
                10.0,
            )
        )
        odom_topic = str(declare(self, "odom_topic", "/odom", "nav_msgs/Odometry of the robot"))
        output_topic = str(
            declare(self, "output_topic", "/cmd_vel/language", "velocity output (the mux's language input)")
        )

        self.core = ActionExecutor(config, EXACT_PARSER)
        self.session = secrets.token_hex(4)
        self.episode = 0
        self.estop_pressed = False
        self._estopped = False
        self.pose = LatestPose(odom_timeout_s)
        self._was_active = False
        self._hold_until_ns: int | None = None
        self._reported: tuple[ExecutorState, str] | None = None

        string = message_class("std_msgs/msg/String")
        self.cmd_pub = self.create_publisher(message_class("geometry_msgs/msg/Twist"), output_topic, 10)
        # Latched: a vla node that starts (or restarts) after a query was sent still gets it.
        self.query_pub = self.create_publisher(string, "/vla/query", QOS_LATCHED)
        self.diag_pub = self.create_publisher(message_class("diagnostic_msgs/msg/DiagnosticArray"), "/diagnostics", 10)
        # Two e-stop readers, as the mux has: a volatile one hears every publisher of /estop, a
        # transient-local one also the value a latched publisher sent before this node started.
        # Created first, they are dispatched first: an instruction in the same wake-up is refused.
        flag = message_class("std_msgs/msg/Bool")
        self.create_subscription(flag, "/estop", self.on_estop, QoSProfile(depth=10))
        self.create_subscription(flag, "/estop", self.on_estop, QOS_LATCHED)
        self.create_subscription(string, "/instruction", self.on_instruction, QOS_LATCHED)
        self.create_subscription(string, "/vla/action", self.on_action, 10)
        self.create_subscription(
            message_class("nav_msgs/msg/Odometry"), odom_topic, self.on_odom, qos_profile_sensor_data
        )
        self.create_timer(1.0 / rate_hz, self.on_tick)
        self.create_timer(DIAGNOSTICS_PERIOD_S, self.publish_diagnostics)
        self.get_logger().info(
            f"executor ready: {config.forward_speed_mps:g} m/s, {config.turn_rate_radps:.4g} rad/s, "
            f"{'closed' if config.closed_loop else 'open'} loop, watchdog {config.query_timeout_s:g} s, "
            f"output {self.resolve_topic_name(output_topic)}, session {self.session}"
        )

    # Callbacks: each hands one event to the core and applies what it says.
    def on_instruction(self, msg: Any) -> None:
        text = str(msg.data).strip()
        if not text:
            self.get_logger().info("empty instruction: cancelling")
            self._apply(self.core.cancel())
            return
        if self.estop_pressed:
            self.get_logger().warn(f"ignoring instruction {text!r}: /estop is pressed")
            self.publish_diagnostics()
            return
        self.episode += 1
        self._estopped = False
        self._apply(self.core.start(self._now_s(), text))

    def on_estop(self, msg: Any) -> None:
        pressed = bool(msg.data)
        if pressed and not self.estop_pressed:
            self.get_logger().warn("e-stop pressed: stopping")
        self.estop_pressed = pressed
        if pressed and self.core.state in ACTIVE:
            self._estopped = True
            self._apply(self.core.estop())

    def on_action(self, msg: Any) -> None:
        try:
            answer = ActionMessage.from_json(str(msg.data))
        except ProtocolError as exc:
            self.get_logger().warn(f"ignoring a malformed answer: {exc}", throttle_duration_sec=1.0)
            return
        if answer.session != self.session:
            return
        if answer.error is not None:
            out = self.core.on_query_failed(answer.request_id, answer.error)
        elif answer.action is None:
            self.get_logger().warn(f"reply {answer.text!r} holds no action: {answer.parse_error}")
            out = self.core.on_reply(self._now_s(), answer.request_id, "")
        else:
            out = self.core.on_reply(self._now_s(), answer.request_id, canonical_reply(answer.action))
        self._apply(out)

    def on_odom(self, msg: Any) -> None:
        try:
            self.pose.update(msg, self.get_clock().now().nanoseconds)
        except MalformedMessageError as exc:
            self.get_logger().warn(f"ignoring odometry: {exc}", throttle_duration_sec=1.0)

    def on_tick(self) -> None:
        self._apply(self.core.tick(self._now_s(), self._fresh_pose()))

    # Applying the core's output
    def _apply(self, out: ExecutorOutput) -> None:
        """Log, ask the VLA if told to, publish the velocity, report a changed state."""
        for event in out.events:
            if out.state is ExecutorState.FAILED:
                self.get_logger().error(event)
            else:
                self.get_logger().info(event)
        if out.query is not None:
            query = QueryMessage(self.session, self.episode, out.query.request_id, out.query.instruction)
            self.query_pub.publish(new_message("std_msgs/msg/String", data=query.to_json()))
        now_ns = self.get_clock().now().nanoseconds
        active = out.state in ACTIVE
        if active:
            self._hold_until_ns = None
        elif self._was_active:
            self._hold_until_ns = now_ns + int(self.stop_hold_s * 1e9)
        self._was_active = active
        if active or (self._hold_until_ns is not None and now_ns <= self._hold_until_ns):
            self.cmd_pub.publish(twist_message(*out.velocity))
        if self._reported != (self.core.state, self.core.reason):
            self.publish_diagnostics()

    def publish_diagnostics(self) -> None:
        state = self.core.state
        self._reported = (state, self.core.reason)
        level = {ExecutorState.FAILED: Level.ERROR, ExecutorState.STOPPED: Level.WARN if self._estopped else Level.OK}
        values = {
            "state": state.value,
            "outcome": self.outcome,
            "instruction": self.core.instruction,
            "episode": self.episode,
            "session": self.session,
            "request_id": self.core.pending_request.request_id if self.core.pending_request else "",
            "last_action": self.core.last_action.describe() if self.core.last_action else "",
            "estop": self.estop_pressed,
            "odometry": "fresh" if self._fresh_pose() else "none or stale",
        }
        self.diag_pub.publish(
            diagnostic_array(
                [Check(self.get_name(), level.get(state, Level.OK), self.core.reason, values)],
                self.get_clock().now().nanoseconds,
            )
        )

    @property
    def outcome(self) -> str:
        """How the current instruction ended: running, done, e-stop, failed, cancelled (idle before any)."""
        state = self.core.state
        if state in ACTIVE:
            return "running"
        if state is ExecutorState.STOPPED:
            return "e-stop" if self._estopped else "done"
        if state is ExecutorState.FAILED:
            return "failed"
        return "cancelled" if self.episode else "idle"

    def _fresh_pose(self) -> Pose2D | None:
        return self.pose.fresh(self.get_clock().now().nanoseconds)

    def _now_s(self) -> float:
        return self.get_clock().now().nanoseconds / 1e9


def main(args: list[str] | None = None) -> None:
    run_node(ExecutorNode, args)
