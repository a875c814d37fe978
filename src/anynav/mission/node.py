"""The mission node: runs a GPS waypoint mission and publishes the current waypoint as a goal in base_link.

Subscribes: /gps/fix (NavSatFix), /imu/data (Imu) or /odom (Odometry) for the heading, and
/mission/command (String). Publishes: /mission/goal (PoseStamped in base_link, only while
running with an adequate, fresh fix and a fresh heading), /mission/path (the waypoints as a
latched Path in the mission's local ENU frame `map`, origin at the datum), /mission/status
(String, JSON) and /diagnostics.

Commands are plain text on /mission/command: `start`, `pause`, `resume`, `cancel` and
`log_fix [name]` (append the current fix as a waypoint; with `log_file` set, the mission is
written there after each one). ROS 2 services and actions are not available on the dds
backend, so commands are a topic and every command's result is reported in the next
/mission/status message (`last_command`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from anynav.mission.datum import DatumConfig
from anynav.mission.errors import MissionConfigError, MissionError
from anynav.mission.fix import FixPolicy, check_fix
from anynav.mission.formats import load_mission
from anynav.mission.goal import heading_enu
from anynav.mission.runner import MissionConfig, MissionRunner, MissionState, MissionStatus
from anynav.mission.waypoint import Mission
from anynav.msgs.diagnostics import DIAGNOSTIC_ARRAY, Check, Level, age_s, diagnostic_array, freshness
from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.navigation import (
    GpsFix,
    arrays_to_path,
    imu_to_sample,
    navsatfix_to_fix,
    odometry_to_sample,
    quaternion_from_yaw,
    quaternion_msg,
    yaw_from_quaternion,
)
from anynav.msgs.time import header, stamp_to_ns
from anynav.ros import QOS_LATCHED, Node, message_class, new_message, qos_profile_sensor_data, run_node
from anynav.ros.parameters import choice, declare

YAW_SOURCES = ("imu", "odom")
COMMANDS = ("start", "pause", "resume", "cancel", "log_fix")
POSE = "geometry_msgs/msg/PoseStamped"
STRING = "std_msgs/msg/String"


class MissionNode(Node):
    """Feeds GPS fixes and the heading to a MissionRunner; publishes goal, route, progress and health."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("mission", **kwargs)
        mission_file = declare(self, "mission_file", "", "waypoint file (.yaml .csv .gpx .kml .geojson); '' = none yet")
        self.log_file = declare(self, "log_file", "", "write the mission here after every log_fix; '' = memory only")
        self.auto_start = declare(self, "auto_start", False, "start once the first adequate fix arrives (once per run)")
        radius = declare(self, "default_radius_m", 2.0, "arrival radius of waypoints without their own, m", 0.1, 1000.0)
        fix_loss = declare(
            self, "max_fix_loss_s", 30.0, "this long without an adequate fix fails the mission, s", 0.1, 3600.0
        )
        min_status = declare(self, "min_fix_status", 0, "lowest NavSatStatus accepted: 0 fix, 1 SBAS, 2 GBAS", 0, 2)
        max_std = declare(self, "max_horizontal_std_m", 3.0, "largest accepted horizontal std of a fix, m", 0.01, 100.0)
        unknown = declare(self, "accept_unknown_covariance", False, "accept fixes without a covariance (unbounded)")
        fix_age = declare(self, "max_fix_age_s", 2.0, "a fix older than this (by stamp) is stale, s", 0.01, 60.0)
        self.yaw_source = choice(
            self, "yaw_source", "imu", YAW_SOURCES, "heading from /imu/data or /odom", MissionConfigError
        )
        self.yaw_offset = declare(
            self,
            "yaw_offset",
            0.0,
            "added to the sensor yaw to give the ENU heading (0 = east), rad; pi/2 for a north-referenced sensor",
            -2 * math.pi,
            2 * math.pi,
        )
        self.yaw_clockwise = declare(self, "yaw_clockwise", False, "sensor yaw grows clockwise (compass)")
        self.max_heading_age_s = declare(
            self, "max_heading_age_s", 0.5, "a heading older than this is stale, s", 0.01, 10.0
        )
        max_distance = declare(
            self, "max_distance_m", 2000.0, "refuse waypoints further from the datum, m", 1.0, 100000.0
        )
        force = declare(self, "force", False, "accept waypoints beyond max_distance_m or in another UTM zone")
        rate = declare(self, "rate_hz", 10.0, "goal publication rate, Hz", 1.0, 50.0)
        status_rate = declare(self, "status_rate_hz", 1.0, "status and diagnostics rate, Hz", 0.1, 10.0)
        self.base_frame = declare(self, "base_frame", "base_link", "frame of the published goal")
        self.map_frame = declare(self, "map_frame", "map", "frame of /mission/path: local ENU at the mission datum")
        config = MissionConfig(
            default_radius_m=radius,
            max_fix_loss_s=fix_loss,
            datum=DatumConfig(max_distance_m=max_distance, force=force),
            fix=FixPolicy(
                min_status=min_status,
                max_horizontal_std_m=max_std,
                accept_unknown_covariance=unknown,
                max_age_s=fix_age,
            ),
        )
        mission = load_mission(Path(mission_file).expanduser()) if mission_file else Mission(())
        self.runner = MissionRunner(mission, config)
        self.fix: GpsFix | None = None
        self.heading: tuple[int, float] | None = None  # (stamp_ns, ENU heading)
        self.last_command: dict[str, Any] | None = None  # with "seq", so a client can tell its reply from older ones
        self.commands = 0
        self.status: MissionStatus | None = None
        self._auto_started = False
        self._reported_state = self.runner.state

        self.goal_pub = self.create_publisher(message_class(POSE), "/mission/goal", 10)
        self.path_pub = self.create_publisher(message_class("nav_msgs/msg/Path"), "/mission/path", QOS_LATCHED)
        self.status_pub = self.create_publisher(message_class(STRING), "/mission/status", 10)
        self.diag_pub = self.create_publisher(message_class(DIAGNOSTIC_ARRAY), "/diagnostics", 10)
        sensor = qos_profile_sensor_data
        self.create_subscription(message_class("sensor_msgs/msg/NavSatFix"), "/gps/fix", self.on_fix, sensor)
        if self.yaw_source == "imu":
            self.create_subscription(message_class("sensor_msgs/msg/Imu"), "/imu/data", self.on_imu, sensor)
        else:
            self.create_subscription(message_class("nav_msgs/msg/Odometry"), "/odom", self.on_odom, sensor)
        self.create_subscription(message_class(STRING), "/mission/command", self.on_command, 10)
        self.create_timer(1.0 / rate, self.on_tick)
        self.create_timer(1.0 / status_rate, self.on_report)

        total = len(self.runner.mission)
        where = f"{total} waypoints from {mission_file}" if mission_file else "no waypoints (log them with log_fix)"
        self.get_logger().info(f"mission: {where}; heading from {self.yaw_source}; auto_start={self.auto_start}")
        if total:
            self.publish_path()

    # Inputs
    def on_fix(self, msg: Any) -> None:
        try:
            self.fix = navsatfix_to_fix(msg)
        except MalformedMessageError as exc:
            # Keep it as a fix without a position, so an older good fix is never used instead.
            self.fix = GpsFix(
                stamp_to_ns(msg.header.stamp),
                math.nan,
                math.nan,
                math.nan,
                int(msg.status.status),
                np.full((3, 3), math.nan),
                int(msg.position_covariance_type),
            )
            self.get_logger().warn(f"unusable fix: {exc}", throttle_duration_sec=5.0)

    def on_imu(self, msg: Any) -> None:
        try:
            sample = imu_to_sample(msg)
        except MalformedMessageError as exc:
            self.get_logger().warn(f"unusable IMU heading: {exc}", throttle_duration_sec=5.0)
            return
        self._set_heading(sample.stamp_ns, yaw_from_quaternion(sample.orientation))

    def on_odom(self, msg: Any) -> None:
        try:
            sample = odometry_to_sample(msg)
        except MalformedMessageError as exc:
            self.get_logger().warn(f"unusable odometry heading: {exc}", throttle_duration_sec=5.0)
            return
        self._set_heading(sample.stamp_ns, sample.yaw)

    def _set_heading(self, stamp_ns: int, raw_yaw: float) -> None:
        self.heading = (stamp_ns, heading_enu(raw_yaw, self.yaw_offset, self.yaw_clockwise))

    def on_command(self, msg: Any) -> None:
        text = str(msg.data).strip()
        verb, _, argument = text.partition(" ")
        now = self.now_ns()
        self.commands += 1
        try:
            message = self.run_command(verb, argument.strip(), now)
        except MissionError as exc:
            self.last_command = {"seq": self.commands, "command": text, "ok": False, "message": str(exc)}
            self.get_logger().warn(f"command {text!r} refused: {exc}")
        else:
            self.last_command = {"seq": self.commands, "command": text, "ok": True, "message": message}
            self.get_logger().info(f"command {text!r}: {message}")
        self.step(now, report=True)

    def run_command(self, verb: str, argument: str, now: int) -> str:
        """Apply one command to the runner; returns what happened (MissionError when refused)."""
        if verb == "start":
            self.runner.start(self.fix, now)
            return f"started at waypoint 0 of {len(self.runner.mission)}"
        if verb == "pause":
            self.runner.pause()
            return "paused"
        if verb == "resume":
            self.runner.resume(self.fix, now)
            return f"resumed at waypoint {self.runner.index}"
        if verb == "cancel":
            self.runner.cancel()
            return "cancelled"
        if verb == "log_fix":
            waypoint = self.runner.log_fix(self.fix, now, name=argument or None)
            self.publish_path()
            saved = ""
            if self.log_file:
                self.runner.save(Path(self.log_file).expanduser())
                saved = f", saved to {self.log_file}"
            index = len(self.runner.mission) - 1
            return f"logged waypoint {index} at {waypoint.latitude:.7f}, {waypoint.longitude:.7f}{saved}"
        raise MissionConfigError(f"unknown command {verb!r}; commands: {', '.join(COMMANDS)}")

    # Periodic work
    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def fresh_heading(self, now: int) -> float | None:
        if self.heading is None or freshness("heading", now, self.heading[0], self.max_heading_age_s):
            return None
        return self.heading[1]

    def on_tick(self) -> None:
        now = self.now_ns()
        if self.auto_start and not self._auto_started and self.runner.state is MissionState.IDLE:
            if len(self.runner.mission) and check_fix(self.fix, self.runner.config.fix, now).adequate:
                self._auto_started = True
                self.runner.start(self.fix, now)
                message = "started on the first adequate fix"
                self.commands += 1
                self.last_command = {"seq": self.commands, "command": "auto_start", "ok": True, "message": message}
                self.get_logger().info(f"auto_start: {message}")
        self.step(now)

    def step(self, now: int, report: bool = False) -> None:
        """Update the runner with the latest fix and heading; publish the goal, and the status on any change."""
        status = self.runner.update(self.fix, now, self.fresh_heading(now))
        self.status = status
        for index in status.arrived:
            name = self.runner.mission.waypoints[index].name
            self.get_logger().info(f"reached waypoint {index}{f' {name!r}' if name else ''} of {status.total}")
        if status.goal_base_link is not None:
            self.goal_pub.publish(self.goal_message(status, now))
        elif status.state is MissionState.RUNNING:
            self.get_logger().warn(f"no goal: {status.reason}", throttle_duration_sec=5.0)
        if report or status.arrived or status.state is not self._reported_state:
            if status.state is not self._reported_state:
                why = f": {status.reason}" if status.reason else ""
                self.get_logger().info(f"mission {self._reported_state.value} -> {status.state.value}{why}")
                self._reported_state = status.state
            self.publish_status(now)

    def on_report(self) -> None:
        now = self.now_ns()
        if self.status is None:
            self.status = self.runner.update(self.fix, now, self.fresh_heading(now))
        self.publish_status(now)
        self.diag_pub.publish(diagnostic_array(self.checks(now), now))

    # Outputs
    def goal_message(self, status: MissionStatus, now: int) -> Any:
        assert status.goal_base_link is not None
        x, y = status.goal_base_link
        yaw = status.goal_yaw_base_link if status.goal_yaw_base_link is not None else math.atan2(y, x)
        pose = new_message(
            "geometry_msgs/msg/Pose",
            position=new_message("geometry_msgs/msg/Point", x=float(x), y=float(y), z=0.0),
            orientation=quaternion_msg(quaternion_from_yaw(yaw)),
        )
        return new_message("geometry_msgs/msg/PoseStamped", header=header(self.base_frame, now), pose=pose)

    def publish_path(self) -> None:
        points = np.asarray(self.runner.waypoints_enu)
        yaws = route_yaws(points, self.runner.mission)
        self.path_pub.publish(arrays_to_path(points, yaws, self.map_frame, self.now_ns()))

    def publish_status(self, now: int) -> None:
        if self.status is None:
            return
        self.status_pub.publish(new_message("std_msgs/msg/String", data=json.dumps(self.status_dict(self.status, now))))

    def status_dict(self, status: MissionStatus, now: int) -> dict[str, Any]:
        current = status.current
        waypoint = None
        if current is not None:
            waypoint = {
                "index": status.index,
                "name": current.name,
                "latitude": current.latitude,
                "longitude": current.longitude,
                "radius_m": self.runner.radius_m(status.index),
            }
        return {
            "state": status.state.value,
            "index": status.index,
            "total": status.total,
            "waypoint": waypoint,
            "distance_to_waypoint_m": _finite_or_none(status.distance_to_current_m),
            "distance_to_go_m": _finite_or_none(status.distance_remaining_m),
            "fix": {
                "adequate": status.fix.adequate,
                "reason": status.fix.reason,
                "horizontal_std_m": _finite_or_none(status.fix.horizontal_std_m),
            },
            "heading_ok": self.fresh_heading(now) is not None,
            "goal_base_link": list(status.goal_base_link) if status.goal_base_link else None,
            "reason": status.reason,
            "last_command": self.last_command,
            "stamp": now * 1e-9,
        }

    def checks(self, now: int) -> list[Check]:
        status = self.status
        running = status is not None and status.state is MissionState.RUNNING
        fix = check_fix(self.fix, self.runner.config.fix, now)
        fix_values = {
            "age_s": age_s(now, self.fix.stamp_ns if self.fix else None),
            "status": self.fix.status if self.fix else "none",
            "horizontal_std_m": fix.horizontal_std_m,
        }
        heading_stamp = self.heading[0] if self.heading else None
        heading_problem = freshness("heading", now, heading_stamp, self.max_heading_age_s)
        bad = Level.ERROR if running else Level.WARN
        checks = [
            Check("mission: gps fix", Level.OK if fix.adequate else bad, fix.reason or "adequate", fix_values),
            Check(
                "mission: heading",
                bad if heading_problem else Level.OK,
                heading_problem or f"from {self.yaw_source}",
                {"age_s": age_s(now, heading_stamp)},
            ),
        ]
        if status is not None:
            level = {MissionState.FAILED: Level.ERROR, MissionState.PAUSED: Level.WARN}.get(status.state, Level.OK)
            checks.append(
                Check(
                    "mission: state",
                    level,
                    status.reason or status.state.value,
                    {
                        "state": status.state.value,
                        "index": status.index,
                        "total": status.total,
                        "distance_to_go_m": _finite_or_none(status.distance_remaining_m),
                    },
                )
            )
        return checks


def route_yaws(points: np.ndarray, mission: Mission) -> np.ndarray:
    """Yaw of each route pose: the waypoint's own, else the direction of the leg leaving it (arriving, for the last)."""
    yaws = np.zeros(len(points))
    for index, waypoint in enumerate(mission.waypoints):
        if waypoint.yaw is not None:
            yaws[index] = waypoint.yaw
        elif len(points) > 1:
            a, b = (index, index + 1) if index + 1 < len(points) else (index - 1, index)
            yaws[index] = math.atan2(points[b, 1] - points[a, 1], points[b, 0] - points[a, 0])
    return yaws


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def mission() -> MissionNode:
    return MissionNode()


def main(args: list[str] | None = None) -> None:
    run_node(mission, args)
