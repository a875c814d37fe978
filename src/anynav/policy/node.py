"""The policy node: camera frames (or a LiDAR cloud) and the mission goal in, predicted waypoints in base_link out.

`policy` picks the planner: `logonav` or `citywalker` (ONNX graphs exported by `anynav export`
into `model_dir`) or `baseline` (goal-directed with LiDAR obstacle avoidance, no camera needed).

A tick runs on the input that carries the newest stamp (a camera frame; for the baseline the
LiDAR cloud, or the goal when there is no LiDAR) once its stamp reaches the next due time,
`rate_hz` in stamp time (default: the trained rate, 1 / context spacing from the model card:
LogoNav 3.33 Hz, CityWalker 1 Hz; baseline 5 Hz). Context frames are sampled by header stamp at
the trained spacing and their embeddings are cached by stamp, so a tick encodes only new frames.

Outputs: /policy/waypoints (nav_msgs/Path in base_link, stamped with the newest frame used),
/policy/arrival (std_msgs/Float32, CityWalker's arrival probability) and /diagnostics. A stale or
missing input (camera frame, goal, LiDAR cloud, odometry for CityWalker) gives no output at all:
the follower then stops on its path TTL. The goal carries the GPS fix: the mission node
publishes it only while its fix is adequate and fresh, so a lost fix shows here as a stale goal.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from anynav.msgs.diagnostics import DIAGNOSTIC_ARRAY, Check, Level, age_s, diagnostic_array, freshness
from anynav.msgs.errors import MessageError
from anynav.msgs.geometry import yaw_from_quaternion
from anynav.msgs.image import compressed_to_rgb, image_to_rgb
from anynav.msgs.navigation import arrays_to_path, odometry_to_sample
from anynav.msgs.pointcloud import pointcloud_to_xyz
from anynav.msgs.time import stamp_to_ns
from anynav.paths import data_dirs
from anynav.perception.context import ContextBuffer, ContextSpec
from anynav.perception.errors import PerceptionError
from anynav.perception.pose_history import PoseHistory, PoseHistoryConfig
from anynav.policy.baseline import BaselineConfig, BaselinePolicy
from anynav.policy.card import CARD_FILE
from anynav.policy.citywalker.processor import positions_in_current_frame
from anynav.policy.errors import PolicyConfigError, PolicyError
from anynav.policy.frames import StaticFrames
from anynav.policy.runtime import PolicyRuntime
from anynav.policy.schedule import TickSchedule
from anynav.policy.types import Frame, Goal
from anynav.ros import (
    DurabilityPolicy,
    Node,
    QoSProfile,
    ReliabilityPolicy,
    message_class,
    new_message,
    qos_profile_sensor_data,
    run_node,
)
from anynav.ros.parameters import choice, declare

POLICIES = ("baseline", "logonav", "citywalker")
TRANSPORTS = ("raw", "compressed")
BASELINE_RATE_HZ = 5.0
# The baseline.* parameters: BaselineConfig field, description, range.
BASELINE_PARAMETERS: tuple[tuple[str, str, float, float], ...] = (
    ("num_waypoints", "waypoints per plan", 1, 32),
    ("waypoint_spacing_m", "distance between waypoints, m", 0.01, 5.0),
    ("lookahead_m", "clear distance a heading needs, m", 0.1, 30.0),
    ("robot_radius_m", "robot disc radius, m", 0.01, 5.0),
    ("safety_margin_m", "clearance added to the radius, m", 0.0, 5.0),
    ("num_headings", "candidate headings", 8, 1440),
    ("obstacle_min_z", "lowest obstacle point in base_link (above the ground), m", -5.0, 5.0),
    ("obstacle_max_z", "highest obstacle point in base_link (below overhangs), m", -5.0, 10.0),
    ("goal_tolerance_m", "closer than this the plan is to stay, m", 0.01, 10.0),
    ("straight_weight", "cost per radian of turning, relative to goal bearing", 0.0, 1.0),
)
# /tf_static as tf2's static listener reads it: every transform ever latched by every publisher.
QOS_TF_STATIC = QoSProfile(depth=100, durability=DurabilityPolicy.TRANSIENT_LOCAL)


class PolicyNode(Node):
    """Runs one navigation policy at its rate on the freshest inputs; publishes nothing when an input is stale."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("policy", **kwargs)
        self.policy = choice(self, "policy", "baseline", POLICIES, "planner", PolicyConfigError)
        model_dir = declare(
            self,
            "model_dir",
            "",
            "folder from `anynav export` (model_card.json + ONNX graphs); "
            "'' = models/<policy> of the source tree or the install",
        )
        rate = declare(
            self,
            "rate_hz",
            0.0,
            "ticks per second of stamp time; 0 = the trained rate (model card) or 5 Hz for the baseline",
            0.0,
            50.0,
        )
        image_topic = declare(self, "image_topic", "/camera/image_raw", "camera topic (learned policies)")
        transport = choice(
            self,
            "image_transport",
            "raw",
            TRANSPORTS,
            "Image on image_topic, or CompressedImage on image_topic/compressed",
            PolicyConfigError,
        )
        lidar_topic = declare(self, "lidar_topic", "/utlidar/cloud", "PointCloud2 for the baseline; '' = no LiDAR")
        self.camera_ttl_s = declare(self, "camera_ttl_s", 0.5, "newest frame older than this: no output, s", 0.01, 60.0)
        self.goal_ttl_s = declare(self, "goal_ttl_s", 0.5, "goal older than this: no output, s", 0.01, 60.0)
        self.lidar_ttl_s = declare(self, "lidar_ttl_s", 0.5, "cloud older than this: no output, s", 0.01, 60.0)
        self.odom_ttl_s = declare(
            self,
            "odom_ttl_s",
            0.5,
            "odometry this far from a frame's stamp does not give CityWalker its position, s",
            0.01,
            1.0,
        )
        output_scale = declare(
            self,
            "output_scale_m",
            0.0,
            "metres per model unit (LogoNav output; CityWalker step scale in and out); 0 = the model card's value",
            0.0,
            100.0,
        )
        providers = declare(
            self, "providers", "", "comma-separated onnxruntime providers; '' = TensorRT, CUDA, CPU, those present"
        )
        threads = declare(self, "threads", 0, "onnxruntime intra-op threads; 0 = onnxruntime decides", 0, 256)
        trt_cache_dir = declare(self, "trt_cache_dir", "", "TensorRT engine cache folder; '' = none")
        self.base_frame = declare(self, "base_frame", "base_link", "frame of goals and waypoints")
        diagnostic_period = declare(self, "diagnostic_period_s", 1.0, "/diagnostics period, s", 0.05, 60.0)
        baseline_config = self._declare_baseline()

        self.runtime: PolicyRuntime | None = None
        self.baseline: BaselinePolicy | None = None
        self.frames: ContextBuffer[np.ndarray] | None = None
        self.poses: PoseHistory | None = None
        self.static_frames = StaticFrames()
        self.goal: tuple[int, Goal] | None = None  # (stamp_ns, goal in base_link)
        self.cloud: tuple[int, str, np.ndarray] | None = None  # (stamp_ns, frame_id, points in that frame)
        self.newest_frame_ns: int | None = None
        self.ticks = 0
        self.published = 0
        self.last_output_ns: int | None = None
        self.last_problem = "no tick yet"
        self.last_inference_ms = math.nan
        self.last_frames_encoded = 0

        if self.policy == "baseline":
            self.baseline = BaselinePolicy(baseline_config)
            self.rate_hz = rate or BASELINE_RATE_HZ
        else:
            model_path = Path(model_dir).expanduser() if model_dir else default_model_dir(self.policy)
            self.runtime = PolicyRuntime(
                model_path,
                providers=[p.strip() for p in providers.split(",") if p.strip()] or None,
                output_scale_m=output_scale or None,
                threads=threads or None,
                trt_cache_dir=trt_cache_dir or None,
            )
            if self.runtime.model != self.policy:
                raise PolicyConfigError(f"policy={self.policy} but {model_path} holds a {self.runtime.model} export")
            spacing = self.runtime.context_spacing_s
            self.rate_hz = rate or 1.0 / spacing
            self.frames = ContextBuffer(ContextSpec(self.runtime.context_frames, spacing, max_age_s=self.camera_ttl_s))
            if self.policy == "citywalker":
                horizon = min(self.runtime.context_frames * spacing + 1.0, 10.0)
                self.poses = PoseHistory(PoseHistoryConfig(horizon_s=horizon, max_gap_s=self.odom_ttl_s))
        self.schedule = TickSchedule(self.rate_hz)
        self.uses_lidar = self.policy == "baseline" and bool(lidar_topic)

        self.path_pub = self.create_publisher(message_class("nav_msgs/msg/Path"), "/policy/waypoints", 10)
        self.arrival_pub = None
        if self.policy == "citywalker":
            self.arrival_pub = self.create_publisher(message_class("std_msgs/msg/Float32"), "/policy/arrival", 10)
        self.diag_pub = self.create_publisher(message_class(DIAGNOSTIC_ARRAY), "/diagnostics", 10)
        self.create_subscription(message_class("geometry_msgs/msg/PoseStamped"), "/mission/goal", self.on_goal, 10)
        # Sensor QoS (best effort) with room for what arrives during a slow tick: the context and the
        # odometry history must not lose the frames and poses that the next ticks will need.
        camera_qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.BEST_EFFORT)
        odom_qos = QoSProfile(depth=100, reliability=ReliabilityPolicy.BEST_EFFORT)
        sensor = qos_profile_sensor_data
        if self.runtime is not None:
            if transport == "compressed":
                compressed = message_class("sensor_msgs/msg/CompressedImage")
                self.create_subscription(compressed, f"{image_topic}/compressed", self.on_compressed, camera_qos)
            else:
                image = message_class("sensor_msgs/msg/Image")
                self.create_subscription(image, image_topic, self.on_image, camera_qos)
        if self.poses is not None:
            self.create_subscription(message_class("nav_msgs/msg/Odometry"), "/odom", self.on_odom, odom_qos)
        if self.uses_lidar:
            cloud_class = message_class("sensor_msgs/msg/PointCloud2")
            self.create_subscription(cloud_class, lidar_topic, self.on_cloud, sensor)
            tf_class = message_class("tf2_msgs/msg/TFMessage")
            self.create_subscription(tf_class, "/tf_static", self.on_tf_static, QOS_TF_STATIC)
        self.create_timer(diagnostic_period, self.on_report)

        if self.runtime is not None:
            source = f"{model_path} ({self.runtime.card.source_checkpoint or 'random weights'})"
            extra = f", providers {', '.join(self.runtime.providers)}"
        else:
            source = "baseline"
            extra = f", obstacles from {lidar_topic}" if self.uses_lidar else ", no LiDAR: goal only"
        self.get_logger().info(f"policy {self.policy}: {source} at {self.rate_hz:.3g} Hz{extra}")

    def _declare_baseline(self) -> BaselineConfig:
        defaults = BaselineConfig()
        values = {
            name: declare(self, f"baseline.{name}", getattr(defaults, name), description, low, high)
            for name, description, low, high in BASELINE_PARAMETERS
        }
        return BaselineConfig(**values)

    # Inputs
    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    def on_goal(self, msg: Any) -> None:
        frame = msg.header.frame_id.lstrip("/")
        if frame != self.base_frame:
            self.get_logger().warn(
                f"goal in frame {frame!r} ignored: expected {self.base_frame!r}", throttle_duration_sec=5.0
            )
            return
        position, q = msg.pose.position, msg.pose.orientation
        try:
            goal = Goal(float(position.x), float(position.y), yaw_from_quaternion((q.x, q.y, q.z, q.w)))
            stamp = stamp_to_ns(msg.header.stamp)
        except (PolicyError, MessageError) as exc:
            self.get_logger().warn(f"goal ignored: {exc}", throttle_duration_sec=5.0)
            return
        self.goal = (stamp, goal)
        if self.baseline is not None and not self.uses_lidar and self.schedule.due(stamp):
            self.tick(stamp)

    def on_image(self, msg: Any) -> None:
        self._on_frame(msg, image_to_rgb)

    def on_compressed(self, msg: Any) -> None:
        self._on_frame(msg, compressed_to_rgb)

    def _on_frame(self, msg: Any, decode: Any) -> None:
        assert self.frames is not None
        try:
            stamp = stamp_to_ns(msg.header.stamp)
            rgb = decode(msg)
        except MessageError as exc:
            self.get_logger().warn(f"camera frame dropped: {exc}", throttle_duration_sec=5.0)
            return
        if self.newest_frame_ns is not None and stamp < self.newest_frame_ns - round(2e9 * self.frames.spec.history_s):
            self.get_logger().warn("camera stamps jumped back: context, embeddings and schedule start over")
            self.frames.clear()
            self.schedule.reset()
            assert self.runtime is not None
            self.runtime.reset()
            self.newest_frame_ns = None
        self.frames.push(stamp, rgb)
        self.newest_frame_ns = stamp if self.newest_frame_ns is None else max(stamp, self.newest_frame_ns)
        if self.schedule.due(stamp):
            self.tick(stamp)

    def on_odom(self, msg: Any) -> None:
        assert self.poses is not None
        try:
            sample = odometry_to_sample(msg)
            self.poses.add(sample.stamp_ns, sample.position, sample.orientation)
        except (MessageError, PerceptionError) as exc:
            self.get_logger().warn(f"odometry ignored: {exc}", throttle_duration_sec=5.0)

    def on_cloud(self, msg: Any) -> None:
        try:
            stamp = stamp_to_ns(msg.header.stamp)
            points = pointcloud_to_xyz(msg)
        except MessageError as exc:
            self.get_logger().warn(f"cloud dropped: {exc}", throttle_duration_sec=5.0)
            return
        self.cloud = (stamp, msg.header.frame_id, points)
        if self.schedule.due(stamp):
            self.tick(stamp)

    def on_tf_static(self, msg: Any) -> None:
        for transform in msg.transforms:
            t, q = transform.transform.translation, transform.transform.rotation
            try:
                self.static_frames.set(
                    transform.header.frame_id, transform.child_frame_id, (t.x, t.y, t.z), (q.x, q.y, q.z, q.w)
                )
            except PolicyError as exc:
                self.get_logger().warn(f"/tf_static transform ignored: {exc}", throttle_duration_sec=5.0)

    # Ticks
    def tick(self, stamp_ns: int) -> None:
        """One policy step on the inputs as they are now; publishes the plan or records why there is none."""
        self.ticks += 1
        now = self.now_ns()
        started = time.perf_counter()
        try:
            problem = freshness("goal", now, self.goal[0] if self.goal else None, self.goal_ttl_s)
            if problem:
                raise PolicyError(problem)
            if self.baseline is not None:
                stamp, waypoints, yaws = self._plan_baseline(now, stamp_ns)
                arrival = None
            else:
                stamp, waypoints, yaws, arrival = self._plan_learned(now)
        except (PolicyError, PerceptionError) as exc:
            self._no_output(str(exc))
            return
        self.last_inference_ms = (time.perf_counter() - started) * 1e3
        self.path_pub.publish(arrays_to_path(waypoints, yaws, self.base_frame, stamp))
        if arrival is not None and self.arrival_pub is not None:
            self.arrival_pub.publish(new_message("std_msgs/msg/Float32", data=float(arrival)))
        self.published += 1
        self.last_output_ns = now
        self.last_problem = ""

    def _plan_learned(self, now: int) -> tuple[int, np.ndarray, np.ndarray, float | None]:
        assert self.runtime is not None and self.frames is not None and self.goal is not None
        context = self.frames.require(now)
        positions = None
        if self.poses is not None:
            positions = positions_in_current_frame(self._poses_at(context.stamps_ns))
        frames = [Frame(stamp, image) for stamp, image in zip(context.stamps_ns, context.frames, strict=True)]
        plan = self.runtime.plan(frames, self.goal[1], positions)
        self.last_frames_encoded = plan.frames_encoded
        yaws = plan.yaws if plan.yaws is not None else heading_along(plan.waypoints)
        return plan.stamp_ns, plan.waypoints, yaws, plan.arrival_probability

    def _poses_at(self, stamps_ns: tuple[int, ...]) -> np.ndarray:
        """[T, 3] (x, y, yaw) in odom at each frame stamp; PolicyError when odometry does not cover one."""
        assert self.poses is not None
        if not len(self.poses):
            raise PolicyError("no odometry received yet (CityWalker needs the robot's past positions)")
        poses = []
        for stamp in stamps_ns:
            matrix = self.poses.at(stamp)
            if matrix is None:
                before = (stamps_ns[-1] - stamp) * 1e-9
                raise PolicyError(
                    f"no odometry within {self.odom_ttl_s:g} s of the frame {before:.2f} s before "
                    "the newest: odometry stalled or started late"
                )
            poses.append((matrix[0, 3], matrix[1, 3], math.atan2(matrix[1, 0], matrix[0, 0])))
        return np.array(poses)

    def _plan_baseline(self, now: int, stamp_ns: int) -> tuple[int, np.ndarray, np.ndarray]:
        assert self.baseline is not None and self.goal is not None
        points = None
        if self.uses_lidar:
            problem = freshness("LiDAR cloud", now, self.cloud[0] if self.cloud else None, self.lidar_ttl_s)
            if problem:
                raise PolicyError(problem)
            assert self.cloud is not None
            _, frame_id, cloud = self.cloud
            points = self.static_frames.transform_points(cloud, self.base_frame, frame_id)
        goal = self.goal[1]
        waypoints = self.baseline.plan((goal.x, goal.y), points)
        return stamp_ns, waypoints, heading_along(waypoints)

    def _no_output(self, reason: str) -> None:
        self.last_problem = reason
        self.get_logger().warn(f"no waypoints: {reason}", throttle_duration_sec=2.0)

    # Health
    def input_problems(self, now: int) -> list[str]:
        """Why a tick now would publish nothing, input by input ([] when every input is fresh)."""
        problems = []
        if self.runtime is not None:
            problems.append(freshness("camera frame", now, self.newest_frame_ns, self.camera_ttl_s))
        if self.uses_lidar:
            problems.append(freshness("LiDAR cloud", now, self.cloud[0] if self.cloud else None, self.lidar_ttl_s))
        problems.append(freshness("goal", now, self.goal[0] if self.goal else None, self.goal_ttl_s))
        if self.poses is not None:
            problems.append(freshness("odometry", now, self.poses.newest_ns, self.odom_ttl_s))
        return [p for p in problems if p]

    def checks(self, now: int) -> list[Check]:
        problems = self.input_problems(now)
        checks = []
        inputs: list[tuple[str, int | None, float]] = [("goal", self.goal[0] if self.goal else None, self.goal_ttl_s)]
        if self.runtime is not None:
            inputs.append(("camera", self.newest_frame_ns, self.camera_ttl_s))
        if self.uses_lidar:
            inputs.append(("lidar", self.cloud[0] if self.cloud else None, self.lidar_ttl_s))
        if self.poses is not None:
            inputs.append(("odometry", self.poses.newest_ns, self.odom_ttl_s))
        for name, stamp, ttl in inputs:
            problem = freshness(name, now, stamp, ttl)
            checks.append(
                Check(
                    f"policy: {name}",
                    Level.WARN if problem else Level.OK,
                    problem or "fresh",
                    {"age_s": age_s(now, stamp), "ttl_s": ttl},
                )
            )
        recent = self.last_output_ns is not None and age_s(now, self.last_output_ns) <= max(2.0 / self.rate_hz, 1.0)
        why = "; ".join(problems) or self.last_problem
        values = {
            "policy": self.policy,
            "rate_hz": self.rate_hz,
            "ticks": self.ticks,
            "published": self.published,
            "last_inference_ms": self.last_inference_ms,
        }
        if self.runtime is not None:
            values["frames_encoded_last_tick"] = self.last_frames_encoded
            values["providers"] = ",".join(self.runtime.providers)
        checks.append(
            Check(
                "policy: waypoints",
                Level.OK if recent else Level.WARN,
                "publishing" if recent else f"no waypoints: {why}",
                values,
            )
        )
        return checks

    def on_report(self) -> None:
        now = self.now_ns()
        checks = self.checks(now)
        self.diag_pub.publish(diagnostic_array(checks, now))
        stalled = self.input_problems(now)
        if stalled:
            self.get_logger().warn(f"no waypoints: {'; '.join(stalled)}", throttle_duration_sec=5.0)


def model_dirs(policy: str) -> list[Path]:
    """Where an export of ``policy`` is looked for when model_dir is not given: models/<policy> in the
    source tree (where models/README.md says to export), then in each install's share folder."""
    return [directory / policy for directory in data_dirs("models")]


def default_model_dir(policy: str) -> Path:
    """The first of ``model_dirs`` holding a model card; PolicyConfigError naming them all otherwise."""
    candidates = model_dirs(policy)
    for candidate in candidates:
        if (candidate / CARD_FILE).is_file():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise PolicyConfigError(
        f"policy={policy}: no model_dir given and no export in {searched}; export one with "
        f"`anynav export {policy} --checkpoint FILE --out models/{policy}` or set model_dir"
    )


def heading_along(waypoints: np.ndarray) -> np.ndarray:
    """Yaw of each waypoint: direction from the previous one (from the robot for the first); 0 where they coincide."""
    points = np.vstack([np.zeros((1, 2)), np.asarray(waypoints, dtype=np.float64)[:, :2]])
    steps = np.diff(points, axis=0)
    moving = np.hypot(steps[:, 0], steps[:, 1]) > 1e-9
    yaws: np.ndarray = np.where(moving, np.arctan2(steps[:, 1], steps[:, 0]), 0.0)
    return yaws


def policy() -> PolicyNode:
    return PolicyNode()


def main(args: list[str] | None = None) -> None:
    run_node(policy, args)
