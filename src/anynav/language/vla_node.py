"""The `vla` node: keeps NaVILA's camera history and answers each /vla/query by asking the VLA server.

It keeps the frames an instruction has seen (one per 25 cm or 15 degrees of odometry, or per
0.5 s of commanded motion without odometry), and for each query sends 7 evenly spread history
frames plus the current one with NaVILA's prompt to ``server``: tcp://host:port speaks NaVILA's
own vlm_server.py protocol, http(s)://host:port/v1 an OpenAI-compatible chat endpoint (vLLM,
SGLang ...). Each query has a per-attempt timeout and bounded retries and runs on a worker
thread, so the node keeps serving while the model thinks. Every answer is published as the raw
text on /vla/raw and as JSON on /vla/action (request id, instruction, text, parsed action or why
none, latency); a failed query is answered too, with its error, so the executor stops at once.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np

from anynav.language.actions import Action
from anynav.language.clients import Attempt, QueryResult
from anynav.language.config import FrameHistoryConfig, ParserConfig
from anynav.language.endpoint import QuerySettings, describe_server, make_client
from anynav.language.errors import FrameError, LanguageConfigError, ProtocolError
from anynav.language.history import FrameHistory
from anynav.language.odometry import LatestPose
from anynav.language.parser import parse_reply
from anynav.language.runner import QueryRunner
from anynav.language.vla_messages import ActionMessage, QueryMessage
from anynav.msgs.diagnostics import Check, Level, diagnostic_array
from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.image import compressed_to_rgb, image_to_rgb
from anynav.msgs.navigation import twist_to_array
from anynav.msgs.time import stamp_to_ns
from anynav.ros import QOS_LATCHED, Node, message_class, new_message, qos_profile_sensor_data, run_node
from anynav.ros.parameters import declare

TRANSPORTS = ("compressed", "raw")
POLL_PERIOD_S = 0.002
"""How often finished queries are collected while any is out: the most an answer waits to be published."""
COMMAND_FRESH_S = 0.5
"""A velocity command older than this no longer counts as 'the robot is commanded to move'."""
DIAGNOSTICS_PERIOD_S = 1.0


class VlaNode(Node):
    """NaVILA's inference loop as a ROS node: frame history, prompt, server query, parsed answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("vla", **kwargs)
        server = str(
            declare(
                self,
                "server",
                "tcp://127.0.0.1:54321",
                "tcp://host:port: NaVILA's vlm_server.py; http(s)://host:port/v1: OpenAI-compatible chat completions",
            )
        )
        settings = QuerySettings(
            timeout_s=float(declare(self, "timeout_s", 5.0, "deadline of one request to the server (s)", 0.01, 600.0)),
            max_attempts=int(
                declare(
                    self,
                    "max_attempts",
                    2,
                    "requests per query (connection failures and timeouts are retried)",
                    1,
                    10,
                )
            ),
            retry_backoff_s=float(declare(self, "retry_backoff_s", 0.25, "pause between attempts (s)", 0.0, 60.0)),
            model=str(declare(self, "model", "", "OpenAI-compatible: served model name ('' = $ANYNAV_VLA_MODEL)")),
            api_key=str(
                declare(
                    self,
                    "api_key",
                    "",
                    "OpenAI-compatible: bearer token ('' = $ANYNAV_VLA_API_KEY or $OPENAI_API_KEY)",
                )
            ),
            max_tokens=int(declare(self, "max_tokens", 64, "OpenAI-compatible: generation limit", 1, 4096)),
            temperature=float(
                declare(self, "temperature", 0.0, "OpenAI-compatible: 0 decodes greedily as NaVILA", 0.0, 2.0)
            ),
        )
        camera_topic = str(
            declare(self, "camera_topic", "/camera/image_raw", "base camera topic (image_transport style)")
        )
        transport = str(
            declare(
                self,
                "image_transport",
                "compressed",
                "compressed: <camera_topic>/compressed (JPEG); raw: sensor_msgs/Image",
            )
        )
        self.camera_timeout_s = float(
            declare(
                self,
                "camera_timeout_s",
                1.0,
                "frames older than this are stale: a query waits this long for a fresh one, then fails",
                0.05,
                60.0,
            )
        )
        odom_topic = str(
            declare(self, "odom_topic", "/odom", "odometry that spaces history frames by distance and angle")
        )
        self.pose = LatestPose(float(declare(self, "odom_timeout_s", 0.5, "older odometry is not used", 0.01, 10.0)))
        command_topic = str(
            declare(
                self,
                "command_topic",
                "/cmd_vel/language",
                "the executor's output: spaces frames by time while it moves",
            )
        )
        history_config = FrameHistoryConfig(
            frame_interval_s=float(
                declare(self, "frame_interval_s", 0.5, "seconds of motion per frame without odometry", 0.01, 10.0)
            ),
            frame_distance_m=float(declare(self, "frame_distance_m", 0.25, "metres of travel per frame", 0.01, 5.0)),
            frame_angle_rad=math.radians(
                float(declare(self, "frame_angle_deg", 15.0, "degrees of turn per frame", 0.1, 180.0))
            ),
            num_frames=int(declare(self, "num_frames", 8, "frames per query (NaVILA-8f: 7 history + current)", 2, 64)),
            image_size=int(
                declare(self, "image_size", 384, "frames are stretched to this square size (SigLIP: 384)", 32, 2048)
            ),
            jpeg_quality=int(declare(self, "jpeg_quality", 75, "JPEG quality of the frames sent", 10, 100)),
            max_frames=int(
                declare(self, "max_frames", 1024, "history length at which every second frame is dropped", 16, 100000)
            ),
        )
        self.parser_config = ParserConfig(
            snap_to_trained=bool(
                declare(self, "snap_to_trained", True, "snap to NaVILA's 25/50/75 cm and 15/30/45 deg")
            ),
            allow_backward=bool(
                declare(self, "allow_backward", False, "accept 'move backward' (the camera cannot see behind)")
            ),
            max_distance_m=float(
                declare(self, "max_distance_m", 0.75, "longest segment when not snapping (m)", 0.01, 5.0)
            ),
            max_angle_rad=math.radians(
                float(declare(self, "max_angle_deg", 45.0, "largest turn when not snapping (deg)", 0.1, 360.0))
            ),
        )
        max_in_flight = int(
            declare(self, "max_in_flight", 3, "queries running at once (older ones finish in the background)", 1, 16)
        )
        if transport not in TRANSPORTS:
            raise LanguageConfigError(f"image_transport={transport!r}: expected one of {', '.join(TRANSPORTS)}")

        client = make_client(server, settings)
        self.server = describe_server(server)
        self.history = FrameHistory(history_config)
        self.runner = QueryRunner(client, max_in_flight)
        self.worst_case_s = client.config.worst_case_s
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[QueryMessage, float]] = {}
        self._episode: tuple[str, int] | None = None
        self._waiting: list[tuple[QueryMessage, float, int]] = []
        self._frame_ns: int | None = None
        self._command_moving = False
        self._command_ns = 0
        self.stats = {"queries": 0, "failures": 0, "no_action": 0, "bad_frames": 0}
        self._last: ActionMessage | None = None

        string = message_class("std_msgs/msg/String")
        self.raw_pub = self.create_publisher(string, "/vla/raw", 10)
        self.action_pub = self.create_publisher(string, "/vla/action", 10)
        self.diag_pub = self.create_publisher(message_class("diagnostic_msgs/msg/DiagnosticArray"), "/diagnostics", 10)
        self.create_subscription(string, "/vla/query", self.on_query, QOS_LATCHED)
        if transport == "compressed":
            image_type, self._decode = "sensor_msgs/msg/CompressedImage", compressed_to_rgb
            camera_topic = camera_topic.rstrip("/") + "/compressed"
        else:
            image_type, self._decode = "sensor_msgs/msg/Image", image_to_rgb
        self.create_subscription(message_class(image_type), camera_topic, self.on_image, qos_profile_sensor_data)
        self.create_subscription(
            message_class("nav_msgs/msg/Odometry"), odom_topic, self.on_odom, qos_profile_sensor_data
        )
        self.create_subscription(message_class("geometry_msgs/msg/Twist"), command_topic, self.on_command, 10)
        self.poll_timer = self.create_timer(POLL_PERIOD_S, self.on_poll)
        self.poll_timer.cancel()  # runs only while queries are out
        self.create_timer(DIAGNOSTICS_PERIOD_S, self.publish_diagnostics)
        self.get_logger().info(
            f"vla ready: {self.server}, {settings.max_attempts} x {settings.timeout_s:g} s per query "
            f"(gives up after {self.worst_case_s:.2f} s), camera {self.resolve_topic_name(camera_topic)}"
        )

    # Sensors
    def on_image(self, msg: Any) -> None:
        now_ns = self.get_clock().now().nanoseconds
        try:
            stamp_ns = stamp_to_ns(msg.header.stamp) or now_ns
            self.history.offer(  # the frame is decoded only if the history keeps it
                stamp_ns / 1e9, lambda: self._decode(msg), pose=self.pose.fresh(now_ns), moving=self._moving(now_ns)
            )
        except (FrameError, MalformedMessageError) as exc:
            self.stats["bad_frames"] += 1
            self.get_logger().warn(f"camera frame dropped: {exc}", throttle_duration_sec=1.0)
            return
        self._frame_ns = now_ns

    def on_odom(self, msg: Any) -> None:
        try:
            self.pose.update(msg, self.get_clock().now().nanoseconds)
        except MalformedMessageError as exc:
            self.get_logger().warn(f"ignoring odometry: {exc}", throttle_duration_sec=1.0)

    def on_command(self, msg: Any) -> None:
        try:
            self._command_moving = bool(np.any(twist_to_array(msg) != 0.0))
        except MalformedMessageError:
            self._command_moving = False
        self._command_ns = self.get_clock().now().nanoseconds

    # Queries
    def on_query(self, msg: Any) -> None:
        try:
            query = QueryMessage.from_json(str(msg.data))
        except ProtocolError as exc:
            self.get_logger().warn(f"ignoring a malformed query: {exc}", throttle_duration_sec=1.0)
            return
        received = time.monotonic()
        # The executor waits on its newest query only: older ones still waiting for the camera go.
        self._waiting = [waiting for waiting in self._waiting if waiting[0].session != query.session]
        if (query.session, query.episode) != self._episode:
            self._episode = (query.session, query.episode)
            try:
                self.history.reset()  # a new instruction: a new history, starting from the current view
            except (FrameError, MalformedMessageError) as exc:
                self._answer(query, _failed(f"camera: {exc}"), received)
                return
        self._waiting.append((query, received, self.get_clock().now().nanoseconds))
        self._serve_waiting()
        if self.poll_timer.is_canceled():
            self.poll_timer.reset()

    def _serve_waiting(self) -> None:
        """Send the queries whose camera view is fresh; fail those that waited camera_timeout_s for one."""
        now_ns = self.get_clock().now().nanoseconds
        problem = self._camera_problem(now_ns)
        waiting, self._waiting = self._waiting, []
        for query, received, received_ns in waiting:
            if problem is None:
                self._submit(query, received)
            elif now_ns - received_ns >= self.camera_timeout_s * 1e9:
                self._answer(query, _failed(f"camera: {problem}"), received)
            else:
                self._waiting.append((query, received, received_ns))

    def _camera_problem(self, now_ns: int) -> str | None:
        if self._frame_ns is None:
            return f"no camera frame within camera_timeout_s={self.camera_timeout_s:g} s; not asking the VLA blind"
        age_s = (now_ns - self._frame_ns) / 1e9
        if age_s > self.camera_timeout_s:
            return f"newest camera frame is {age_s:.2f} s old (camera_timeout_s={self.camera_timeout_s:g} s)"
        return None

    def _submit(self, query: QueryMessage, received: float) -> None:
        try:
            images = self.history.sample()
        except (FrameError, MalformedMessageError) as exc:
            self._answer(query, _failed(f"camera: {exc}"), received)
            return
        internal_id = next(self._ids)
        self._pending[internal_id] = (query, received)
        self.runner.submit(internal_id, images, query.instruction)

    def on_poll(self) -> None:
        if self._waiting:
            self._serve_waiting()
        for internal_id, result in self.runner.poll():
            query, received = self._pending.pop(internal_id)
            self._answer(query, result, received)
        if not self._waiting and not self._pending:
            self.poll_timer.cancel()

    def _answer(self, query: QueryMessage, result: QueryResult, received: float) -> None:
        """Publish the raw reply and the parsed answer, log them, count them."""
        latency = time.monotonic() - received
        self.stats["queries"] += 1
        action = parse_error = None
        if result.text is not None:
            self.raw_pub.publish(new_message("std_msgs/msg/String", data=result.text))
            parsed = parse_reply(result.text, self.parser_config)
            if isinstance(parsed, Action):
                action = parsed
            else:
                parse_error = parsed.reason
                self.stats["no_action"] += 1
        else:
            self.stats["failures"] += 1
            raw = next((attempt.raw for attempt in reversed(result.attempts) if attempt.raw), b"")
            if raw:
                self.raw_pub.publish(new_message("std_msgs/msg/String", data=raw.decode("utf-8", "replace")))
        answer = ActionMessage(
            query.session,
            query.episode,
            query.request_id,
            query.instruction,
            result.text,
            result.error,
            action,
            parse_error,
            latency,
            len(result.attempts),
        )
        self._last = answer
        self.action_pub.publish(new_message("std_msgs/msg/String", data=answer.to_json()))
        where = f"request {query.request_id} ({latency:.3f} s, {len(result.attempts)} attempt(s))"
        if answer.error is not None:
            self.get_logger().error(f"{where} failed: {answer.error}")
            self.publish_diagnostics()
        elif action is None:
            self.get_logger().warn(f"{where}: {result.text!r} holds no action: {parse_error}")
        else:
            self.get_logger().info(f"{where}: {result.text!r} -> {action.describe()}")

    # Diagnostics
    def publish_diagnostics(self) -> None:
        now_ns = self.get_clock().now().nanoseconds
        camera_age = None if self._frame_ns is None else (now_ns - self._frame_ns) / 1e9
        last = self._last
        if last is not None and last.error is not None:
            level, message = Level.ERROR, f"last query failed: {last.error}"
        elif camera_age is None or camera_age > self.camera_timeout_s:
            level, message = (
                Level.WARN,
                "no camera frames" if camera_age is None else f"camera silent for {camera_age:.1f} s",
            )
        else:
            level, message = Level.OK, "ready"
        values = {
            "server": self.server,
            **self.stats,
            "in_flight": self.runner.in_flight,
            "history_frames": len(self.history),
            "camera_age_s": "" if camera_age is None else f"{camera_age:.2f}",
            "odometry": "fresh" if self.pose.fresh(now_ns) else "none or stale",
            "last_latency_s": "" if last is None else f"{last.latency_s:.3f}",
            "last_reply": "" if last is None or last.text is None else last.text,
        }
        self.diag_pub.publish(diagnostic_array([Check(self.get_name(), level, message, values)], now_ns))

    def destroy_node(self) -> None:
        self.runner.close(0.5)
        super().destroy_node()

    def _moving(self, now_ns: int) -> bool:
        return self._command_moving and 0 <= now_ns - self._command_ns <= COMMAND_FRESH_S * 1e9


def _failed(reason: str) -> QueryResult:
    """The result of a query that never reached the server."""
    return QueryResult(None, (Attempt(0.0, reason),), 0.0)


def main(args: list[str] | None = None) -> None:
    run_node(VlaNode, args)
