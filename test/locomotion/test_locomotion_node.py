"""The locomotion node over real DDS: joint commands at 50 Hz, every safety trip seen on /joint_command, velocity mode.

The probe plays the bridge (/joint_states, /imu/data), the heightmap node and the mux at 50 Hz.
Most tests run a linear ONNX policy whose FL_hip action is the commanded vx (and the blind one's
FR_hip action), so the command the supervisor let through can be read off the joint targets.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from locomotion_helpers import CONFIG_DIR, write_linear_policy

from anynav.locomotion.errors import ControllerConfigError, SpecError
from anynav.locomotion.node import LocomotionNode
from anynav.locomotion.spec import LocomotionSpec, load_spec
from anynav.msgs.diagnostics import level_of
from anynav.msgs.navigation import twist_message
from anynav.robots.bridges.lowlevel import GO2_LAYOUT
from anynav.ros import new_message, qos_profile_sensor_data
from graph_probe import Graph, graph_fixture  # noqa: F401  (the `graph` fixture)

JOINT_COMMAND = "anynav_msgs/msg/JointCommand"
TWIST = "geometry_msgs/msg/Twist"
PERIOD_S = 0.02
# DDS delivery and executor wake-up on a loaded 2-core machine, on top of the one period a trip may take.
SLACK_S = 0.06
VX = 0.8
GO2 = load_spec(CONFIG_DIR / "go2_vision.yaml")
GO2_BLIND = load_spec(CONFIG_DIR / "go2_blind.yaml")
FL_HIP, FR_HIP = 0, 1  # policy (Isaac) order: FL_hip, FR_hip, ...; defaults +0.1 and −0.1
SAFETY = {
    "warmup_s": 0.2,
    "command_ttl_s": 0.2,
    "state_ttl_s": 0.1,
    "height_map_ttl_s": 0.2,
    "damping_kd": 3.0,
    "diagnostics_period_s": 0.1,
}


class Feed:
    """What the bridge, the heightmap node and the mux would publish; tests switch parts off or spoil them."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.pubs = {
            "joint_states": graph.publisher("sensor_msgs/msg/JointState", "/joint_states"),
            "imu": graph.publisher("sensor_msgs/msg/Imu", "/imu/data", qos_profile_sensor_data),
            "heightmap": graph.publisher("std_msgs/msg/Float32MultiArray", "/heightmap"),
            "cmd_vel": graph.publisher(TWIST, "/cmd_vel"),
        }
        self.on = dict.fromkeys(self.pubs, True)
        self.roll = 0.0
        self.joint_nan = False
        graph.connect(*self.pubs.values())

    def _message(self, name: str) -> Any:
        if name == "joint_states":
            q = np.zeros(12)
            for joint in GO2.joints:  # SDK order, as the bridge publishes them
                q[joint.sdk_index] = joint.default
            if self.joint_nan:
                q[4] = math.nan
            return new_message(
                "sensor_msgs/msg/JointState",
                name=list(GO2_LAYOUT.names),
                position=q,
                velocity=np.zeros(12),
                effort=np.zeros(12),
            )
        if name == "imu":
            half = self.roll / 2
            orientation = new_message("geometry_msgs/msg/Quaternion", x=math.sin(half), w=math.cos(half))
            return new_message("sensor_msgs/msg/Imu", orientation=orientation)
        if name == "heightmap":
            return new_message("std_msgs/msg/Float32MultiArray", data=np.full(459, 0.3, dtype=np.float32))
        return twist_message(VX, 0.0, 0.0)

    def run(self, seconds: float) -> float:
        """Publish every input that is on at 50 Hz for `seconds`; returns the time of the last publication."""
        messages = [(pub, lambda _now, n=name: self._message(n)) for name, pub in self.pubs.items() if self.on[name]]
        return self.graph.publish_for(messages, seconds, 50.0)


def linear_models(tmp_path: Path) -> dict[str, str]:
    """Main policy: FL_hip action = vx; blind policy: FR_hip action = vx (obs[6] is vx in both)."""
    main = write_linear_policy(tmp_path / "main.onnx", GO2, {(FL_HIP, 6): 1.0})
    blind = write_linear_policy(tmp_path / "blind.onnx", GO2_BLIND, {(FR_HIP, 6): 1.0})
    return {"policy_model": str(main), "blind_model": str(blind)}


def start(graph: Graph, tmp_path: Path, **params: Any) -> tuple[Feed, list[Any]]:
    graph.add(LocomotionNode, mode="policy", **{**linear_models(tmp_path), **SAFETY, **params})
    commands = graph.listen(JOINT_COMMAND, "/joint_command")
    return Feed(graph), commands


def walking(msg: Any) -> bool:
    """The main policy with the command let through: FL_hip = 0.1 + 0.25·vx."""
    return msg.mode == "policy" and msg.q[FL_HIP] == pytest.approx(0.1 + 0.25 * VX, abs=1e-6)


def zero_command(msg: Any) -> bool:
    return msg.mode == "policy" and msg.q[FL_HIP] == pytest.approx(0.1, abs=1e-6)


def damping(msg: Any) -> bool:
    return msg.mode == "damp" and not np.any(msg.kp) and np.allclose(msg.kd, SAFETY["damping_kd"])


def first_after(graph: Graph, messages: list[Any], since: float, check: Any) -> float:
    """Seconds from `since` to the first message after it that passes `check`; fails if none did."""
    for msg, at in zip(messages, graph.times(messages), strict=True):
        if at > since and check(msg):
            return at - since
    raise AssertionError("no such joint command")


def all_after(graph: Graph, messages: list[Any], since: float, check: Any) -> bool:
    return all(check(m) for m, at in zip(messages, graph.times(messages), strict=True) if at > since)


def test_random_policy_publishes_named_joint_commands_at_50_hz(graph: Graph) -> None:
    graph.add(
        LocomotionNode,
        mode="policy",
        policy_model="random:3",
        map_fallback="stand",
        warmup_s=0.0,
        diagnostics_period_s=0.1,
    )
    commands = graph.listen(JOINT_COMMAND, "/joint_command")
    diagnostics = graph.listen("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics")
    feed = Feed(graph)
    feed.run(0.3)
    start_at = len(commands)
    feed.run(1.0)
    arrivals = np.diff(graph.times(commands)[start_at:])
    assert 40 <= len(arrivals) + 1 <= 55
    assert np.median(arrivals) == pytest.approx(PERIOD_S, abs=0.004)
    msg = commands[-1]
    assert list(msg.name) == [joint.name for joint in GO2.joints]
    assert msg.mode == "policy" and np.allclose(msg.kp, 40.0) and np.allclose(msg.kd, 1.0)
    lower = np.array([j.lower for j in GO2.joints])
    upper = np.array([j.upper for j in GO2.joints])
    assert np.all((msg.q >= lower - 1e-6) & (msg.q <= upper + 1e-6))
    status = diagnostics[-1].status[0]
    assert status.message.startswith("RANDOM WEIGHTS, never on a robot. policy")


def test_nothing_is_published_before_a_complete_state(graph: Graph, tmp_path: Path) -> None:
    feed, commands = start(graph, tmp_path)
    feed.on["imu"] = False
    feed.run(0.3)
    assert not commands
    feed.on["imu"] = True
    feed.run(0.2)
    assert commands and commands[0].mode == "policy"


def test_warm_up_then_the_command_then_zero_after_its_ttl(graph: Graph, tmp_path: Path) -> None:
    feed, commands = start(graph, tmp_path)
    feed.run(0.1)
    assert commands and all(zero_command(m) for m in commands)  # warm-up: zero command
    last_cmd_vel = feed.run(0.4)
    assert walking(commands[-1])
    feed.on["cmd_vel"] = False
    feed.run(0.4)
    delay = first_after(graph, commands, last_cmd_vel, zero_command)
    assert delay <= SAFETY["command_ttl_s"] + PERIOD_S + SLACK_S
    assert all_after(graph, commands, last_cmd_vel + delay, zero_command)


@pytest.mark.parametrize("fallback", ["blind", "stand"])
def test_stale_height_map_falls_back_and_recovers(graph: Graph, tmp_path: Path, fallback: str) -> None:
    params = {"map_fallback": fallback} if fallback == "blind" else {"map_fallback": "stand", "blind_model": ""}
    feed, commands = start(graph, tmp_path, **params)
    last_map = feed.run(0.5)
    assert walking(commands[-1])
    feed.on["heightmap"] = False
    feed.run(0.5)
    if fallback == "blind":
        expected = lambda m: (  # noqa: E731  the blind policy: FR_hip = −0.1 + 0.25·vx, FL_hip default
            m.mode == "blind"
            and m.q[FR_HIP] == pytest.approx(-0.1 + 0.25 * VX, abs=1e-6)
            and m.q[FL_HIP] == pytest.approx(0.1, abs=1e-6)
        )
    else:
        defaults = np.array([j.default for j in GO2.joints])
        expected = lambda m: m.mode == "stand" and np.allclose(m.q, defaults) and np.allclose(m.kp, 40.0)  # noqa: E731
    delay = first_after(graph, commands, last_map, expected)
    assert delay <= SAFETY["height_map_ttl_s"] + PERIOD_S + SLACK_S
    assert all_after(graph, commands, last_map + delay, expected)
    feed.on["heightmap"] = True
    feed.run(0.5)
    assert walking(commands[-1])


class Trip:
    """A latching trip: how to cause it, how to clear its cause, and whether it is due at once or after a TTL."""

    def __init__(self, cause: Any, clear: Any, ttl_s: float = 0.0) -> None:
        self.cause, self.clear, self.ttl_s = cause, clear, ttl_s


def _estop(feed: Feed, value: bool) -> None:
    publisher = feed.graph.publisher("std_msgs/msg/Bool", "/estop")
    feed.graph.connect(publisher)
    publisher.publish(new_message("std_msgs/msg/Bool", data=value))


TRIPS = {
    "tilt": Trip(lambda f: setattr(f, "roll", 1.0), lambda f: setattr(f, "roll", 0.0)),
    "nan_state": Trip(lambda f: setattr(f, "joint_nan", True), lambda f: setattr(f, "joint_nan", False)),
    "stale_state": Trip(
        lambda f: f.on.update(joint_states=False), lambda f: f.on.update(joint_states=True), ttl_s=SAFETY["state_ttl_s"]
    ),
    "estop": Trip(lambda f: _estop(f, True), lambda f: _estop(f, False)),
}


@pytest.mark.parametrize("name", list(TRIPS))
def test_latching_trips_damp_within_one_period_until_reset(graph: Graph, tmp_path: Path, name: str) -> None:
    trip = TRIPS[name]
    feed, commands = start(graph, tmp_path)
    reset = graph.publisher("std_msgs/msg/Empty", "/locomotion/reset")
    graph.connect(reset)
    since = feed.run(0.5)  # the last healthy input
    assert walking(commands[-1])
    trip.cause(feed)
    feed.run(0.3)
    delay = first_after(graph, commands, since, damping)
    assert delay <= trip.ttl_s + PERIOD_S + SLACK_S
    assert all_after(graph, commands, since + delay, damping)
    if name == "estop":  # a reset while the e-stop is still pressed is refused
        reset.publish(new_message("std_msgs/msg/Empty"))
        feed.run(0.2)
        assert damping(commands[-1])
    trip.clear(feed)
    feed.run(0.3)
    assert damping(commands[-1]), "the trip must latch after its cause is gone"
    reset.publish(new_message("std_msgs/msg/Empty"))
    feed.run(0.1)
    assert zero_command(commands[-1])  # warm-up again after the reset
    feed.run(0.4)
    assert walking(commands[-1])


def test_velocity_mode_clamps_ramps_and_zeroes_after_ttl(graph: Graph) -> None:
    ttl, accel = 0.2, 2.0
    graph.add(
        LocomotionNode,
        mode="velocity",
        rate_hz=50.0,
        command_ttl_s=ttl,
        max_forward_mps=0.6,
        max_yaw_rate=0.5,
        max_accel=[accel, accel, 10.0],
    )
    out = graph.listen(TWIST, "/cmd_vel/robot")
    cmd = graph.publisher(TWIST, "/cmd_vel")
    estop = graph.publisher("std_msgs/msg/Bool", "/estop")
    graph.connect(cmd, estop)
    last = graph.publish_for([(cmd, twist_message(2.0, 0.0, -3.0))], 0.8, 50.0)
    vx = np.array([m.linear.x for m in out])
    assert vx.max() == pytest.approx(0.6) and vx[-1] == pytest.approx(0.6)
    assert np.all(np.diff(vx) <= accel * 0.1 + 1e-9)  # never faster than the ramp (a late tick counts ≤ 0.1 s)
    assert out[-1].angular.z == pytest.approx(-0.5)
    assert np.count_nonzero((vx > 0.0) & (vx < 0.6)) >= 5  # it ramped over several ticks
    graph.spin(0.4)
    delay = first_after(graph, out, last, lambda m: m.linear.x == 0.0 and m.angular.z == 0.0)
    assert delay <= ttl + PERIOD_S + SLACK_S
    assert all_after(graph, out, last + delay, lambda m: m.linear.x == 0.0)
    graph.publish_for([(cmd, twist_message(0.3, 0.0, 0.0))], 0.5, 50.0)
    assert out[-1].linear.x == pytest.approx(0.3)
    pressed = time.monotonic()
    estop.publish(new_message("std_msgs/msg/Bool", data=True))
    graph.publish_for([(cmd, twist_message(0.3, 0.0, 0.0))], 0.3, 50.0)
    assert first_after(graph, out, pressed, lambda m: m.linear.x == 0.0) <= PERIOD_S + SLACK_S
    assert out[-1].linear.x == 0.0


def _spec_variant(tmp_path: Path, edit: Any) -> str:
    import yaml

    data = yaml.safe_load((CONFIG_DIR / "go2_blind.yaml").read_text())
    edit(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["joints"].pop(), r"joints: 11 joints listed but action.size is 12"),
        (lambda d: d["observation"]["terms"].append("foot_contacts"), r"observation.terms\[6\].name: unknown term"),
        (lambda d: d["joints"][0].update(kp=900.0), r"joints\[0\].kp: 900.0 outside \[0.0, 500.0\]"),
    ],
)
def test_bad_specs_stop_start_up_naming_the_field(graph: Graph, tmp_path: Path, edit: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        graph.add(LocomotionNode, mode="policy", spec=_spec_variant(tmp_path, edit), policy_model="random:0")


def test_unknown_spec_and_missing_model_name_the_parameter(graph: Graph) -> None:
    with pytest.raises(
        ControllerConfigError,
        match="parameter spec='go3_vision': no spec of that name; known specs: "
        "go2_blind, go2_vision, h1_blind, h1_vision",
    ):
        graph.add(LocomotionNode, mode="policy", spec="go3_vision", policy_model="random:0")
    with pytest.raises(ControllerConfigError, match="parameter policy_model is empty"):
        graph.add(LocomotionNode, mode="policy")


def test_model_of_the_wrong_size_is_one_line_at_start_up(tmp_path: Path) -> None:
    small: LocomotionSpec = GO2_BLIND
    model = write_linear_policy(tmp_path / "blind_as_vision.onnx", small, {})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "anynav.nodes",
            "locomotion",
            "--ros-args",
            "-p",
            "mode:=policy",
            "-p",
            f"policy_model:={model}",
            "-p",
            "network_interface:=lo",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("[FATAL] [locomotion]: SpecError: ")
    assert f"go2_vision.yaml: observation.size: 909 but model {model} input 'obs' takes 450" in lines[0]


def test_diagnostics_name_the_state_and_the_trip(graph: Graph, tmp_path: Path) -> None:
    feed, commands = start(graph, tmp_path)
    diagnostics = graph.listen("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics")
    feed.run(0.5)
    status = diagnostics[-1].status[0]
    assert status.name == "locomotion: controller" and status.message == "policy: all inputs fresh"
    feed.roll = 1.0
    feed.run(0.3)
    status = diagnostics[-1].status[0]
    assert int(level_of(status)) == 2
    assert status.message.startswith("damp (latched): tilt roll 1.00 / pitch 0.00 rad beyond 0.80")
    assert commands
