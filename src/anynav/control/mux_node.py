"""The mux node: one /cmd_vel from e-stop > teleop > language > autonomy, each input with a time-to-live.

Inputs: /cmd_vel/teleop (counts only while /teleop/deadman, std_msgs/Bool, is true and fresh),
/cmd_vel/language, /cmd_vel/autonomy (geometry_msgs/Twist), /estop (std_msgs/Bool, true = stop;
it latches until /estop reads false and a std_msgs/Empty arrives on /estop/reset).
Output: /cmd_vel as Twist, or TwistStamped with `output_stamped`, every period and at once
when the winning input sends a command; zero for `startup_hold_s` after start, so that a
latched e-stop is heard before anything moves. An input older than its TTL no longer counts,
so whatever stalls upstream, the output is zero within that TTL plus one period.
"""

from __future__ import annotations

import math
import time
from typing import Any

from anynav.control.errors import EstopResetError
from anynav.control.mux import MuxConfig, MuxInput, MuxOutput, TwistMux
from anynav.control.velocity import STOP, Velocity
from anynav.msgs.diagnostics import DIAGNOSTIC_ARRAY, Check, Level, diagnostic_array
from anynav.msgs.errors import MessageError
from anynav.msgs.navigation import twist_message, twist_to_array
from anynav.ros import (
    QOS_LATCHED,
    Node,
    QoSProfile,
    message_class,
    run_node,
)
from anynav.ros.parameters import declare

INPUTS = ("teleop", "language", "autonomy")  # highest priority first; the e-stop is above them all
NOT_FINITE = Velocity(math.nan, math.nan, math.nan)


class MuxNode(Node):
    """Feeds arrivals into a TwistMux (stamped with this node's clock) and publishes its choice."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("mux", **kwargs)
        rate = declare(self, "rate_hz", 20.0, "output rate, Hz", 1.0, 1000.0)
        teleop_ttl = declare(self, "teleop_ttl_s", 0.5, "teleop command time-to-live, s", 0.01, 10.0)
        language_ttl = declare(self, "language_ttl_s", 0.5, "language command time-to-live, s", 0.01, 10.0)
        autonomy_ttl = declare(self, "autonomy_ttl_s", 0.3, "autonomy command time-to-live, s", 0.01, 10.0)
        needs_deadman = declare(self, "teleop_needs_deadman", True, "teleop counts only while /teleop/deadman holds")
        deadman_ttl = declare(self, "deadman_ttl_s", 0.3, "deadman signal time-to-live, s", 0.01, 10.0)
        heartbeat = declare(
            self,
            "estop_heartbeat_s",
            0.0,
            "/estop must be heard this often or the output is zero (and latches); 0 = /estop is event-only",
            0.0,
            10.0,
        )
        hold = declare(
            self,
            "startup_hold_s",
            0.5,
            "zero output for this long after start, so that a latched e-stop is heard before any command passes, s",
            0.0,
            10.0,
        )
        self.stamped = declare(self, "output_stamped", False, "publish TwistStamped instead of Twist on /cmd_vel")
        self.frame_id = declare(self, "frame_id", "base_link", "header.frame_id of TwistStamped output")
        diagnostic_period = declare(self, "diagnostic_period_s", 1.0, "/diagnostics period, s", 0.05, 60.0)
        ttls = {"teleop": teleop_ttl, "language": language_ttl, "autonomy": autonomy_ttl}
        self.mux = TwistMux(
            MuxConfig(
                inputs=tuple(
                    MuxInput(name, ttls[name], needs_deadman=name == "teleop" and needs_deadman) for name in INPUTS
                ),
                deadman_ttl_s=deadman_ttl,
                estop_heartbeat_s=heartbeat or None,
                rate_hz=rate,
            )
        )
        self.last: MuxOutput | None = None
        self.published = 0
        self.hold_until = time.monotonic() + hold

        out_type = "geometry_msgs/msg/TwistStamped" if self.stamped else "geometry_msgs/msg/Twist"
        self.cmd_pub = self.create_publisher(message_class(out_type), "/cmd_vel", 10)
        self.diag_pub = self.create_publisher(message_class(DIAGNOSTIC_ARRAY), "/diagnostics", 10)
        twist, flag = message_class("geometry_msgs/msg/Twist"), message_class("std_msgs/msg/Bool")
        # Subscriptions are dispatched in creation order: the e-stop and the deadman go first, so a
        # command that arrives in the same wake-up as an e-stop is never forwarded before it.
        # Two e-stop readers: a volatile one hears every publisher of /estop; a transient-local one
        # also gets the value a latched publisher sent before this node started. (A transient-local
        # reader alone would not match a volatile publisher, and that e-stop would go unheard.)
        self.create_subscription(flag, "/estop", self.on_estop, QoSProfile(depth=10))
        self.create_subscription(flag, "/estop", self.on_estop, QOS_LATCHED)
        self.create_subscription(message_class("std_msgs/msg/Empty"), "/estop/reset", self.on_reset, 10)
        self.create_subscription(flag, "/teleop/deadman", self.on_deadman, 10)
        for name in INPUTS:
            self.create_subscription(twist, f"/cmd_vel/{name}", lambda msg, name=name: self.on_command(name, msg), 10)
        self.create_timer(1.0 / rate, self.on_tick)
        self.create_timer(diagnostic_period, self.on_report)
        self.get_logger().info(
            f"/cmd_vel ({'TwistStamped' if self.stamped else 'Twist'}) at {rate:g} Hz from e-stop > "
            + " > ".join(f"{name} (ttl {ttls[name]:g} s)" for name in INPUTS)
            + (f"; teleop needs /teleop/deadman (ttl {deadman_ttl:g} s)" if needs_deadman else "")
        )

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_command(self, name: str, msg: Any) -> None:
        try:
            vx, vy, wz = twist_to_array(msg)
            command = Velocity(float(vx), float(vy), float(wz))
        except MessageError as exc:
            self.get_logger().warn(f"{name}: {exc}; stopping while it is fresh", throttle_duration_sec=2.0)
            command = NOT_FINITE
        now = self.now_ns()
        self.mux.set_command(name, command, now)
        self.publish(now, arrival=name)

    def on_deadman(self, msg: Any) -> None:
        now = self.now_ns()
        self.mux.set_deadman(bool(msg.data), now)
        self.publish(now, arrival="deadman")

    def on_estop(self, msg: Any) -> None:
        now = self.now_ns()
        was_latched = self.mux.estop.latched
        self.mux.set_estop(bool(msg.data), now)
        if self.mux.estop.latched and not was_latched:
            self.get_logger().warn(f"e-stop latched: {self.mux.estop.latch_reason}")
        self.publish(now, arrival="estop")

    def on_reset(self, _msg: Any) -> None:
        now = self.now_ns()
        try:
            self.mux.reset_estop(now)
        except EstopResetError as exc:
            self.get_logger().warn(f"e-stop reset refused: {exc}")
            return
        self.get_logger().info("e-stop reset: commands pass again")
        self.publish(now, arrival="reset")

    def on_tick(self) -> None:
        self.publish(self.now_ns())

    def publish(self, now: int, arrival: str | None = None) -> None:
        """Publish the current choice: every period, and on an arrival that changes or refreshes the winner."""
        output = self.mux.output(now)
        if time.monotonic() < self.hold_until:
            output = MuxOutput(STOP, None, "start-up hold: listening for a latched e-stop")
        previous = self.last.source if self.last is not None else None
        if arrival is not None and output.source != arrival and output.source == previous:
            return
        command = output.command
        self.cmd_pub.publish(
            twist_message(
                command.vx, command.vy, command.wz, stamped=self.stamped, frame_id=self.frame_id, stamp_ns=now
            )
        )
        self.published += 1
        if self.last is None or output.source != previous:
            said = f"from {output.source}" if output.source else f"zero: {output.reason}"
            self.get_logger().info(f"/cmd_vel {said}")
        self.last = output

    def on_report(self) -> None:
        now = self.now_ns()
        output = self.mux.output(now)
        estop = self.mux.estop
        pressed = estop.last is not None and bool(estop.last.value)
        checks = [
            Check(
                "mux: output",
                Level.OK if output.source else Level.WARN,
                f"from {output.source}" if output.source else f"zero: {output.reason}",
                {"source": output.source or "none", "published": self.published},
            ),
            Check(
                "mux: e-stop",
                Level.ERROR if estop.latched or pressed else Level.OK,
                estop.latch_reason or ("pressed" if pressed else "released"),
                {"latched": estop.latched, "pressed": pressed},
            ),
        ]
        self.diag_pub.publish(diagnostic_array(checks, now))


def mux() -> MuxNode:
    return MuxNode()


def main(args: list[str] | None = None) -> None:
    run_node(mux, args)
