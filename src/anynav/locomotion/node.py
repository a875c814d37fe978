"""The locomotion node: the muxed /cmd_vel to the robot, either shaped for its own walking API or through an RL policy.

`mode: velocity` — /cmd_vel → VelocityShaper (clamp, acceleration limits, time-to-live) →
`output_topic` (default /cmd_vel/robot; point the bridge's `cmd_vel_topic` there). A stale,
missing or non-finite command, or an e-stop, gives zero, which the bridge turns into the
robot's stop call.

`mode: policy` — an ONNX locomotion policy at its spec's rate (50 Hz for NaVILA) → anynav_msgs/
JointCommand on /joint_command with the spec's joint names (+ `joint_name_suffix`), for a
bridge in joint mode. Inputs, each stamped on arrival: /joint_states (matched by name),
/imu/data (attitude, gyro), /odom (body velocity, only for policies that read it), /heightmap
(only for vision policies) and /cmd_vel. The safety supervisor decides every tick:

| condition                                   | joints                                   | latches |
|---------------------------------------------|------------------------------------------|---------|
| /cmd_vel older than command_ttl_s           | policy runs with a zero command          | no      |
| first warmup_s after start or reset         | policy runs with a zero command          | no      |
| height map missing or older than its TTL    | map_fallback: blind policy, or stand     | no      |
| /joint_states or /imu/data older than TTL   | damping (kp 0, kd damping_kd)            | yes     |
| NaN/inf in state, command, map or action    | damping                                  | yes     |
| |roll| or |pitch| > max_tilt_rad            | damping                                  | yes     |
| /estop true (std_msgs/Bool)                 | damping, published at once               | yes     |

A latched trip holds until std_msgs/Empty on /locomotion/reset (refused while /estop is
still true); then the warm-up runs again. Nothing is published before the first complete
robot state, so a bridge in joint mode does not take the robot from its own controller
before this node can hold it. In velocity mode the e-stop latches zero the same way.

`policy_model: random:<seed>` runs a random-weight MLP of the spec's sizes: a dry run for the
emulator. It is logged as an error at start and in every diagnostics message: the robot must
never walk with it. Configuration errors (unknown spec, wrong joint count, an ONNX model whose
input size differs from the spec's observation) stop start-up with one line naming the field.
"""

from __future__ import annotations

from typing import Any

from anynav.locomotion.controller import ControlStep, LocomotionController
from anynav.locomotion.errors import ControllerConfigError, StateError
from anynav.locomotion.inputs import JointNameMap, StateInputs, height_map_sample
from anynav.locomotion.loading import LoadedPolicy, find_spec, load_policy
from anynav.locomotion.safety import MAP_FALLBACKS, Mode, SafetyConfig
from anynav.locomotion.spec import HEIGHT_MAP_TERM
from anynav.locomotion.state import HeightMapSample, VelocityCommand
from anynav.locomotion.velocity import VelocityLimits, VelocityShaper
from anynav.msgs.diagnostics import DIAGNOSTIC_ARRAY, Check, Level, age_s, diagnostic_array
from anynav.msgs.navigation import twist_message
from anynav.msgs.time import header
from anynav.paths import config_dirs
from anynav.ros import QOS_LATCHED, Node, QoSProfile, message_class, new_message, qos_profile_sensor_data, run_node
from anynav.ros.parameters import choice, declare

MODES = ("velocity", "policy")
JOINT_COMMAND = "anynav_msgs/msg/JointCommand"
_LEVELS = {Mode.POLICY: Level.OK, Mode.BLIND: Level.WARN, Mode.STAND: Level.WARN, Mode.DAMP: Level.ERROR}


class LocomotionNode(Node):
    """Declares every parameter of both modes (one params file serves both), then runs the chosen one."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("locomotion", **kwargs)
        self.mode = choice(
            self,
            "mode",
            "velocity",
            MODES,
            "velocity: shape /cmd_vel for the robot's walking API; policy: run an ONNX locomotion policy",
            ControllerConfigError,
        )
        self.stamped = declare(
            self, "cmd_vel_stamped", False, "/cmd_vel (and the velocity-mode output) is TwistStamped"
        )
        cmd_topic = declare(self, "cmd_vel_topic", "/cmd_vel", "velocity command input (from the mux)")
        self.command_ttl_s = declare(self, "command_ttl_s", 0.5, "older /cmd_vel counts as zero, s", 0.01, 10.0)
        report_s = declare(self, "diagnostics_period_s", 1.0, "period of /diagnostics, s", 0.05, 10.0)
        self._declare_velocity_parameters()
        self._declare_policy_parameters()
        self.command: VelocityCommand | None = None
        self.estop_pressed = False
        self.estop_latched = False
        self.published = 0
        self.dropped: dict[str, int] = {"joint_states": 0, "heightmap": 0}
        self.last_drop = ""
        self.diag_pub = self.create_publisher(message_class(DIAGNOSTIC_ARRAY), "/diagnostics", 10)
        # The e-stop goes first in dispatch order; a volatile reader hears every /estop publisher, a
        # transient-local one also the value a latched publisher sent before this node started.
        flag = message_class("std_msgs/msg/Bool")
        self.create_subscription(flag, "/estop", self.on_estop, QoSProfile(depth=10))
        self.create_subscription(flag, "/estop", self.on_estop, QOS_LATCHED)
        self.create_subscription(message_class("std_msgs/msg/Empty"), "/locomotion/reset", self.on_reset, 10)
        twist = "geometry_msgs/msg/TwistStamped" if self.stamped else "geometry_msgs/msg/Twist"
        self.create_subscription(message_class(twist), cmd_topic, self.on_cmd_vel, 10)
        if self.mode == "velocity":
            self._start_velocity(twist)
        else:
            self._start_policy()
        self.create_timer(report_s, self.on_report)

    def now_ns(self) -> int:
        return self.get_clock().now().nanoseconds

    # --- parameters ---------------------------------------------------------------------

    def _declare_velocity_parameters(self) -> None:
        self.output_topic = declare(
            self, "output_topic", "/cmd_vel/robot", "velocity mode: shaped command out (the bridge's cmd_vel_topic)"
        )
        self.rate_hz = declare(
            self,
            "rate_hz",
            20.0,
            "velocity mode: output rate, Hz (the policy mode runs at its spec's rate_hz)",
            1.0,
            500.0,
        )
        forward = declare(self, "max_forward_mps", 0.8, "velocity mode: largest vx, m/s", 0.0, 5.0)
        backward = declare(self, "max_backward_mps", 0.3, "velocity mode: largest −vx, m/s", 0.0, 5.0)
        lateral = declare(self, "max_lateral_mps", 0.3, "velocity mode: largest |vy|, m/s", 0.0, 5.0)
        yaw = declare(self, "max_yaw_rate", 1.0, "velocity mode: largest |wz|, rad/s", 0.0, 10.0)
        accel = declare(
            self,
            "max_accel",
            [1.0, 1.0, 2.0],
            "velocity mode: largest change per second of vx, vy (m/s²) and wz (rad/s²)",
        )
        self.limits = VelocityLimits(
            vx_range=(-backward, forward),
            vy_max=lateral,
            wz_max=yaw,
            accel=tuple(float(a) for a in accel),  # type: ignore[arg-type]
            command_ttl_s=self.command_ttl_s,
        )

    def _declare_policy_parameters(self) -> None:
        self.spec_name = declare(self, "spec", "go2_vision", "policy spec: a name in config/locomotion or a path")
        self.model_name = declare(
            self,
            "policy_model",
            "",
            "ONNX export of the policy, or random:<seed> (dry run, random weights: never on a robot)",
        )
        self.blind_spec_name = declare(self, "blind_spec", "go2_blind", "spec of the blind fallback policy")
        self.blind_model_name = declare(
            self,
            "blind_model",
            "",
            "ONNX export of the blind fallback policy, or random:<seed>; '' = none (map_fallback must then be stand)",
        )
        self.map_fallback = choice(
            self,
            "map_fallback",
            "blind",
            MAP_FALLBACKS,
            "what runs while the height map is stale",
            ControllerConfigError,
        )
        self.suffix = declare(
            self,
            "joint_name_suffix",
            "",
            "appended to the spec's joint names to give the bridge's names (H1 specs: _joint)",
        )
        self.safety = SafetyConfig(
            command_ttl_s=self.command_ttl_s,
            state_ttl_s=declare(self, "state_ttl_s", 0.1, "joint states or IMU older than this: damping, s", 0.01, 1.0),
            height_map_ttl_s=declare(
                self, "height_map_ttl_s", 0.5, "height map older than this: map_fallback, s", 0.01, 5.0
            ),
            max_tilt_rad=declare(self, "max_tilt_rad", 0.8, "|roll| or |pitch| beyond this: damping, rad", 0.05, 1.57),
            warmup_s=declare(self, "warmup_s", 2.0, "zero command this long after start or reset, s", 0.0, 30.0),
            damping_kd=declare(self, "damping_kd", 2.0, "kd of every joint while damping", 0.1, 50.0),
            map_fallback=self.map_fallback,
        )
        self.onnx_threads = declare(self, "onnx_threads", 1, "onnxruntime intra-op threads", 1, 8)
        self.topics = {
            name: declare(self, f"{name}_topic", default, description)
            for name, default, description in (
                ("joint_states", "/joint_states", "sensor_msgs/JointState from the bridge"),
                ("imu", "/imu/data", "sensor_msgs/Imu from the bridge (sensor QoS)"),
                ("odom", "/odom", "nav_msgs/Odometry, body velocity for policies that read base_lin_vel"),
                ("heightmap", "/heightmap", "std_msgs/Float32MultiArray from the heightmap node"),
                ("joint_command", "/joint_command", "anynav_msgs/JointCommand out, to a bridge in joint mode"),
            )
        }

    # --- velocity mode ------------------------------------------------------------------

    def _start_velocity(self, twist: str) -> None:
        self.shaper = VelocityShaper(self.limits)
        self.shaped_reason = ""
        self.twist_pub = self.create_publisher(message_class(twist), self.output_topic, 10)
        self.create_timer(1.0 / self.rate_hz, self.on_velocity_tick)
        limits = self.limits
        self.get_logger().info(
            f"velocity mode: /cmd_vel → {self.output_topic} at {self.rate_hz:g} Hz, vx [{limits.vx_range[0]:g}, "
            f"{limits.vx_range[1]:g}] m/s, |vy| ≤ {limits.vy_max:g}, |wz| ≤ {limits.wz_max:g}, ttl "
            f"{limits.command_ttl_s:g} s"
        )

    def on_velocity_tick(self) -> None:
        now = self.now_ns()
        if self.estop_latched:
            self.shaper.reset()
            vx = vy = wz = 0.0
            reason = "e-stop latched: zero (reset on /locomotion/reset)"
        else:
            shaped = self.shaper.update(now, self.command)
            vx, vy, wz, reason = shaped.vx, shaped.vy, shaped.wz, shaped.reason
        if reason and not self.shaped_reason:
            self.get_logger().warn(f"zero command: {reason}")
        elif self.shaped_reason and not reason:
            self.get_logger().info("forwarding /cmd_vel")
        self.shaped_reason = reason
        self.twist_pub.publish(twist_message(vx, vy, wz, stamped=self.stamped, stamp_ns=now))
        self.published += 1

    # --- policy mode --------------------------------------------------------------------

    def _start_policy(self) -> None:
        dirs = config_dirs()
        spec = find_spec(self.spec_name, "spec", dirs)
        self.main_policy = load_policy(self.model_name, "policy_model", spec, self.onnx_threads)
        self.blind_policy: LoadedPolicy | None = None
        needs_map = spec.term(HEIGHT_MAP_TERM) is not None
        if needs_map and self.blind_model_name:
            blind_spec = find_spec(self.blind_spec_name, "blind_spec", dirs)
            self.blind_policy = load_policy(self.blind_model_name, "blind_model", blind_spec, self.onnx_threads)
        self.controller = LocomotionController(
            self.main_policy.policy, self.safety, self.blind_policy.policy if self.blind_policy is not None else None
        )
        self.spec = spec
        self.joint_map = JointNameMap(spec, self.suffix)
        self.inputs = StateInputs(self.joint_map, needs_body_velocity=spec.term("base_lin_vel") is not None)
        self.height_map: HeightMapSample | None = None
        self.last_step: ControlStep | None = None
        self.joint_pub = self.create_publisher(message_class(JOINT_COMMAND), self.topics["joint_command"], 10)
        topics = self.topics
        self.create_subscription(
            message_class("sensor_msgs/msg/JointState"), topics["joint_states"], self.on_joint_states, 10
        )
        self.create_subscription(
            message_class("sensor_msgs/msg/Imu"), topics["imu"], self.on_imu, qos_profile_sensor_data
        )
        if self.inputs.needs_body_velocity:
            self.create_subscription(message_class("nav_msgs/msg/Odometry"), topics["odom"], self.on_odom, 10)
        if needs_map:
            self.create_subscription(
                message_class("std_msgs/msg/Float32MultiArray"), topics["heightmap"], self.on_heightmap, 10
            )
        self.controller.start()
        self.create_timer(1.0 / spec.rate_hz, self.on_policy_tick)
        for loaded in (self.main_policy, self.blind_policy):
            if loaded is not None and loaded.random_seed is not None:
                self.get_logger().error(
                    f"{loaded.policy.spec.source}: {loaded.description}. This is a dry run for the emulator: "
                    "the robot must NOT run this policy"
                )
        fallback = f"blind {self.blind_policy.description}" if self.blind_policy is not None else self.map_fallback
        self.get_logger().info(
            f"policy mode: {spec.source} ({self.main_policy.description}) at {spec.rate_hz:g} Hz → "
            f"{topics['joint_command']}" + (f"; stale height map → {fallback}" if needs_map else "")
        )

    def on_joint_states(self, msg: Any) -> None:
        try:
            self.inputs.joint_state(self.now_ns(), msg.name, msg.position, msg.velocity)
        except StateError as exc:
            self._dropped("joint_states", str(exc))

    def on_imu(self, msg: Any) -> None:
        q, w = msg.orientation, msg.angular_velocity
        self.inputs.imu(self.now_ns(), (q.x, q.y, q.z, q.w), (w.x, w.y, w.z))

    def on_odom(self, msg: Any) -> None:
        v = msg.twist.twist.linear
        self.inputs.body_velocity(self.now_ns(), (v.x, v.y, v.z))

    def on_heightmap(self, msg: Any) -> None:
        try:
            self.height_map = height_map_sample(self.spec, self.now_ns(), msg.data)
        except StateError as exc:
            self._dropped("heightmap", str(exc))

    def _dropped(self, what: str, reason: str) -> None:
        self.dropped[what] += 1
        self.last_drop = reason
        self.get_logger().warn(f"dropped {what} ({self.dropped[what]} so far): {reason}", throttle_duration_sec=1.0)

    def on_policy_tick(self) -> None:
        state = self.inputs.state()
        if state is None:
            return
        now = self.now_ns()
        step = self.controller.step(now, state, self.command, self.height_map)
        previous = self.last_step.verdict if self.last_step is not None else None
        verdict = step.verdict
        if previous is None or verdict.mode is not previous.mode or verdict.latched != previous.latched:
            why = "; ".join(verdict.reasons) or "all inputs fresh"
            log = self.get_logger().info if verdict.mode is Mode.POLICY else self.get_logger().warn
            log(f"{verdict.mode.value}{' (latched)' if verdict.latched else ''}: {why}")
        self.last_step = step
        joints, pick = step.joints, self.joint_map.from_sdk
        self.joint_pub.publish(
            new_message(
                JOINT_COMMAND,
                header=header("", now),
                mode=verdict.mode.value,
                name=list(self.joint_map.names),
                q=pick(joints.q),
                dq=pick(joints.dq),
                tau=pick(joints.tau),
                kp=pick(joints.kp),
                kd=pick(joints.kd),
            )
        )
        self.published += 1

    # --- both modes ---------------------------------------------------------------------

    def on_cmd_vel(self, msg: Any) -> None:
        twist = msg.twist if self.stamped else msg
        # NaN/inf is kept: the shaper stops on it, the supervisor damps on it.
        self.command = VelocityCommand(
            float(twist.linear.x), float(twist.linear.y), float(twist.angular.z), self.now_ns()
        )

    def on_estop(self, msg: Any) -> None:
        self.estop_pressed = bool(msg.data)
        if not self.estop_pressed:
            return
        if not self.estop_latched:
            self.get_logger().warn(
                "e-stop: damping until /locomotion/reset"
                if self.mode == "policy"
                else "e-stop: zero command until /locomotion/reset"
            )
        self.estop_latched = True
        if self.mode == "policy":
            self.controller.engage_estop("e-stop (/estop)")
            self.on_policy_tick()
        else:
            self.on_velocity_tick()

    def on_reset(self, _msg: Any) -> None:
        if self.estop_pressed:
            self.get_logger().warn("reset refused: /estop is still true")
            return
        self.estop_latched = False
        if self.mode == "policy":
            self.controller.reset()
        else:
            self.shaper.reset()
        self.get_logger().info("reset: trips cleared" + (", warm-up again" if self.mode == "policy" else ""))

    def on_report(self) -> None:
        now = self.now_ns()
        values: dict[str, object] = {
            "mode": self.mode,
            "published": self.published,
            "command_age_s": age_s(now, self.command.stamp_ns if self.command else None),
            "estop_pressed": self.estop_pressed,
        }
        if self.mode == "velocity":
            stopped = self.estop_latched or bool(self.shaped_reason)
            check = Check(
                "locomotion: velocity",
                Level.WARN if stopped else Level.OK,
                self.shaped_reason or ("e-stop latched" if self.estop_latched else "forwarding"),
                values,
            )
        else:
            check = self._policy_check(now, values)
        self.diag_pub.publish(diagnostic_array([check], now))

    def _policy_check(self, now: int, values: dict[str, object]) -> Check:
        for name, stamp in self.inputs.stamps().items():
            values[f"{name}_age_s"] = age_s(now, stamp)
        if self.spec.term(HEIGHT_MAP_TERM) is not None:
            values["heightmap_age_s"] = age_s(now, self.height_map.stamp_ns if self.height_map else None)
        values.update({f"{name}_dropped": count for name, count in self.dropped.items()})
        values["last_drop"] = self.last_drop
        values["policy"] = self.main_policy.description
        if self.blind_policy is not None:
            values["blind_policy"] = self.blind_policy.description
        if self.last_step is None:
            level, message = Level.WARN, "waiting for /joint_states and /imu/data: publishing nothing"
        else:
            verdict = self.last_step.verdict
            level = _LEVELS[verdict.mode]
            message = f"{verdict.mode.value}{' (latched)' if verdict.latched else ''}: " + (
                "; ".join(verdict.reasons) or "all inputs fresh"
            )
        if any(p is not None and p.random_seed is not None for p in (self.main_policy, self.blind_policy)):
            level = max(level, Level.WARN)
            message = f"RANDOM WEIGHTS, never on a robot. {message}"
        return Check("locomotion: controller", level, message, values)


def locomotion() -> LocomotionNode:
    return LocomotionNode()


def main(args: list[str] | None = None) -> None:
    run_node(locomotion, args)
