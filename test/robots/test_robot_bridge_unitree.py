"""Go2 and H1 bridges against the Unitree emulator over DDS on loopback: RPC calls, state out, stops, LowCmd."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from bridge_helpers import FAST, SENSOR, Bench, link_status, ros_args

from anynav.msgs.diagnostics import Level
from anynav.msgs.navigation import yaw_from_quaternion
from anynav.robots.bridges.go2 import Go2Bridge
from anynav.robots.bridges.h1 import H1Bridge
from anynav.robots.bridges.lowlevel import GO2_LAYOUT, H1_LAYOUT
from anynav.robots.bridges.unitree import JOINT_COMMAND
from anynav.robots.emulators.unitree import UnitreeEmulator, UnitreeEmulatorConfig
from anynav.robots.emulators.unitree_node import UnitreeEmulatorNode
from anynav.robots.records import verify
from anynav.robots.unitree import api, structs
from anynav.robots.unitree.lowcmd import GO_LOW_CMD
from anynav.robots.unitree.state import GO_LOW_STATE
from anynav.ros import QOS_LATCHED, new_message


def _calls(requests: list[Any]) -> list[tuple[int, dict]]:
    return [(int(r.header.identity.api_id), json.loads(r.parameter)) for r in requests]


def test_go2_velocity_mode(bench: Bench) -> None:
    robot = bench.add(UnitreeEmulatorNode("go2", context=bench.context))
    bridge = bench.add(Go2Bridge(context=bench.context, cli_args=ros_args(**FAST)))
    requests = bench.listen(api.REQUEST, "/api/sport/request")
    odom = bench.listen("nav_msgs/msg/Odometry", "/odom")
    imu = bench.listen("sensor_msgs/msg/Imu", "/imu/data", SENSOR)
    joints = bench.listen("sensor_msgs/msg/JointState", "/joint_states")
    tf = bench.listen("tf2_msgs/msg/TFMessage", "/tf")
    tf_static = bench.listen("tf2_msgs/msg/TFMessage", "/tf_static", QOS_LATCHED)
    battery = bench.listen("sensor_msgs/msg/BatteryState", "/battery")
    diagnostics = bench.listen("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics")
    cmd_vel = bench.publisher("geometry_msgs/msg/Twist", "/cmd_vel")
    bench.wait(lambda: cmd_vel.get_subscription_count() and bridge.link.alive(bridge.now_ns()) and battery)
    assert _calls(requests) == [(1003, {})]  # the robot appeared: stop whatever it was doing

    bench.drive(cmd_vel, 0.3, 0.0, 0.2, seconds=0.6)
    moves = _calls(requests)[1:]
    assert moves and all(call == (1008, {"x": 0.3, "y": 0.0, "z": 0.2}) for call in moves)
    assert all(r.header.policy.noreply and r.header.lease.id == 0 for r in requests[1:])
    assert robot.robot.accepted["sport/1008"] == len(moves) and not robot.robot.rejected
    assert odom[-1].twist.twist.linear.x == pytest.approx(0.3, abs=0.01)  # rotated back into the body frame
    assert odom[-1].twist.twist.angular.z == pytest.approx(0.2, abs=1e-6)
    bench.drive(cmd_vel, 5.0, 0.0, 0.0, seconds=0.05)
    assert _calls(requests)[-1] == (1008, {"x": 1.0, "y": 0.0, "z": 0.0})  # clamped to max_forward_mps

    bench.spin(0.6)
    assert _calls(requests)[-1] == (1003, {}) and sum(c[0] == 1003 for c in _calls(requests)) == 2
    assert robot.robot.sport_mode == 1  # balance stand: StopMove reached the robot

    last = odom[-1]
    assert (last.header.frame_id, last.child_frame_id) == ("odom", "base_link")
    assert last.pose.pose.position.x > 0.1
    pose = robot.robot.pose
    assert yaw_from_quaternion(
        np.array([imu[-1].orientation.x, imu[-1].orientation.y, imu[-1].orientation.z, imu[-1].orientation.w])
    ) == pytest.approx(pose.yaw, abs=0.05)
    assert imu[-1].header.frame_id == "imu_link"
    assert list(joints[-1].name) == list(GO2_LAYOUT.names) and len(joints[-1].position) == 12
    transform = tf[-1].transforms[0]
    assert (transform.header.frame_id, transform.child_frame_id) == ("odom", "base_link")
    imu_mount = tf_static[-1].transforms[0]  # latched: heard although published before the probe listened
    assert (imu_mount.header.frame_id, imu_mount.child_frame_id, imu_mount.transform.rotation.w) == (
        "base_link",
        "imu_link",
        1.0,
    )
    assert battery[-1].percentage == pytest.approx(0.9) and battery[-1].voltage == pytest.approx(28.0)
    level, message, values = link_status(diagnostics, "bridge_go2")
    assert level is Level.OK and message == "robot link ok"
    assert values["last_command"] == "StopMove(1003)" and values["bad_frames"] == "0"

    bench.remove(bridge)
    bench.spin(0.2)
    assert sum(c[0] == 1003 for c in _calls(requests)) == 3  # shutdown: StopMove


def test_go2_reports_a_lost_robot_and_damps_on_shutdown(bench: Bench) -> None:
    robot = bench.add(UnitreeEmulatorNode("go2", context=bench.context))
    bridge = bench.add(Go2Bridge(context=bench.context, cli_args=ros_args(**FAST, shutdown_action="damp")))
    diagnostics = bench.listen("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics")
    requests = bench.listen(api.REQUEST, "/api/sport/request")
    bench.wait(lambda: diagnostics and link_status(diagnostics, "bridge_go2")[0] is Level.OK)
    bench.remove(robot)
    bench.wait(lambda: link_status(diagnostics, "bridge_go2")[0] is Level.ERROR)
    assert link_status(diagnostics, "bridge_go2")[1].startswith("robot lost: no valid state for")
    bench.remove(bridge)
    bench.spin(0.1)
    assert _calls(requests)[-1] == (1001, {})  # Damp


def test_go2_drops_and_counts_malformed_low_state(bench: Bench) -> None:
    bridge = bench.add(Go2Bridge(context=bench.context, cli_args=ros_args(**FAST)))
    joints = bench.listen("sensor_msgs/msg/JointState", "/joint_states")
    low_state = bench.publisher(GO_LOW_STATE, "/lowstate")
    bench.wait(low_state.get_subscription_count)
    fields = UnitreeEmulator(UnitreeEmulatorConfig()).low_state(10**9)
    bad_crc = {**fields, "crc": fields["crc"] ^ 1}
    nan_imu = {**fields, "imu_state": {**fields["imu_state"], "gyroscope": np.array([np.nan, 0, 0], np.float32)}}
    for sample in (bad_crc, nan_imu, fields):  # spaced: the bridge decodes at most publish_rate_hz samples/s
        low_state.publish(new_message(GO_LOW_STATE, **sample))
        bench.spin(0.05)
    bench.wait(lambda: bridge.link.samples == 1 and bridge.link.bad_frames == 2 and joints)
    assert len(joints) == 1 and "gyroscope" in bridge.link.last_bad_frame


def _joint_command(names: tuple[str, ...], q: np.ndarray, kp: float, kd: float) -> Any:
    n = len(names)
    return new_message(
        JOINT_COMMAND,
        mode="policy",
        name=list(names),
        q=q,
        dq=np.zeros(n),
        tau=np.zeros(n),
        kp=np.full(n, kp),
        kd=np.full(n, kd),
    )


def test_go2_joint_mode_streams_signed_low_cmd_by_joint_name(bench: Bench) -> None:
    robot = bench.add(UnitreeEmulatorNode("go2", context=bench.context))
    bridge = bench.add(
        Go2Bridge(
            context=bench.context,
            cli_args=ros_args(**FAST, control_mode="joint", joint_cmd_ttl_s=0.2, low_cmd_rate_hz=100.0),
        )
    )
    low_cmds = bench.listen(GO_LOW_CMD, "/lowcmd", SENSOR)
    joints = bench.listen("sensor_msgs/msg/JointState", "/joint_states")
    switcher = bench.listen(api.REQUEST, "/api/motion_switcher/request")
    commands = bench.publisher(JOINT_COMMAND, "/joint_command")
    bench.wait(lambda: commands.get_subscription_count() and bridge.link.alive(bridge.now_ns()))
    bench.spin(0.2)
    assert not low_cmds and not switcher  # nothing is taken over before the controller speaks

    names = tuple(reversed(GO2_LAYOUT.names))  # any order: joints are matched by name
    targets = {name: 0.05 * (i + 1) for i, name in enumerate(GO2_LAYOUT.names)}
    message = _joint_command(names, np.array([targets[n] for n in names]), kp=40.0, kd=1.0)
    for _ in range(30):
        commands.publish(message)
        bench.spin(0.03)
    assert [int(r.header.identity.api_id) for r in switcher] == [1001, 1003, 1001]
    assert robot.robot.active_service == "" and robot.robot.accepted["lowcmd"] > 10
    assert not robot.robot.rejected
    for frame in low_cmds:
        record = structs.pack(GO_LOW_CMD, frame)
        verify("LowCmd", record)  # the CRC matches the packed struct
    motors = low_cmds[-1].motor_cmd
    for slot, name in enumerate(GO2_LAYOUT.joints):
        assert motors[slot].q == pytest.approx(targets[name], abs=1e-6) and motors[slot].kp == 40.0
    state = dict(zip(joints[-1].name, joints[-1].position))
    assert all(state[name] == pytest.approx(targets[name], abs=0.05) for name in GO2_LAYOUT.names)

    commands.publish(_joint_command(names, np.full(12, np.nan), kp=40.0, kd=1.0))
    bench.wait(lambda: bridge.joint_cmd_dropped == 1)
    count = len(low_cmds)
    bench.spin(0.05)  # well inside the 0.2 s TTL of the last good targets: the fault damps at once
    assert len(low_cmds) > count and all(m.kp == 0.0 and m.kd == 2.0 for m in low_cmds[-1].motor_cmd[:12])
    assert all(np.isfinite([m.q for m in frame.motor_cmd]).all() for frame in low_cmds)

    commands.publish(message)
    bench.spin(0.1)
    assert low_cmds[-1].motor_cmd[0].kp == 40.0
    bench.spin(0.3)  # targets went stale
    assert all(m.kp == 0.0 for m in low_cmds[-1].motor_cmd)
    count = len(low_cmds)
    bench.remove(bridge)
    bench.spin(0.1)
    assert len(low_cmds) > count and all(m.kp == 0.0 for m in low_cmds[-1].motor_cmd)
    assert not robot.robot.rejected


def test_h1_velocity_mode_sets_velocity_with_a_duration(bench: Bench) -> None:
    robot = bench.add(UnitreeEmulatorNode("h1", context=bench.context))
    bridge = bench.add(H1Bridge(context=bench.context, cli_args=ros_args(**FAST, rate_hz=10.0, shutdown_action="damp")))
    requests = bench.listen(api.REQUEST, "/api/loco/request")
    odom = bench.listen("nav_msgs/msg/Odometry", "/odom")
    joints = bench.listen("sensor_msgs/msg/JointState", "/joint_states")
    cmd_vel = bench.publisher("geometry_msgs/msg/Twist", "/cmd_vel")
    bench.wait(lambda: cmd_vel.get_subscription_count() and bridge.link.alive(bridge.now_ns()) and requests)
    bench.drive(cmd_vel, 0.3, 0.0, -0.2, seconds=0.5)
    bench.spin(0.5)
    calls = _calls(requests)
    stop = (8105, {"velocity": [0.0, 0.0, 0.0], "duration": 0.2})
    assert calls[0] == stop and calls[-1] == stop
    assert (8105, {"velocity": [0.3, 0.0, -0.2], "duration": 0.2}) in calls  # 2 periods at 10 Hz
    assert robot.robot.accepted["loco/8105"] == len(calls) and not robot.robot.rejected
    assert odom[-1].pose.pose.position.x > 0.05
    assert list(joints[-1].name) == list(H1_LAYOUT.names)
    bench.remove(bridge)
    bench.spin(0.1)
    assert _calls(requests)[-1] == (8101, {"data": 1}) and robot.robot.fsm_id == 1  # damp


def test_h1_joint_mode_uses_the_h1_motor_modes(bench: Bench) -> None:
    robot = bench.add(UnitreeEmulatorNode("h1", context=bench.context))
    bridge = bench.add(H1Bridge(context=bench.context, cli_args=ros_args(**FAST, control_mode="joint")))
    low_cmds = bench.listen(GO_LOW_CMD, "/lowcmd", SENSOR)
    commands = bench.publisher(JOINT_COMMAND, "/joint_command")
    bench.wait(lambda: commands.get_subscription_count() and bridge.link.alive(bridge.now_ns()))
    message = _joint_command(H1_LAYOUT.names, np.full(19, 0.1), kp=100.0, kd=3.0)
    for _ in range(20):
        commands.publish(message)
        bench.spin(0.03)
    assert robot.robot.accepted["lowcmd"] > 5 and not robot.robot.rejected
    modes = [m.mode for m in low_cmds[-1].motor_cmd]
    assert modes[9] == 0 and set(modes) == {0x00, 0x01, 0x0A}
