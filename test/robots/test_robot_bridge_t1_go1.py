"""T1 and Go1 bridges against their emulators on loopback: Booster loco RPC over DDS, Go1 HighCmd over UDP."""

from __future__ import annotations

import json

import pytest
from bridge_helpers import FAST, SENSOR, Bench, link_status, ros_args

from anynav.msgs.diagnostics import Level
from anynav.robots.booster import loco
from anynav.robots.bridges.go1 import Go1Bridge
from anynav.robots.bridges.t1 import T1Bridge
from anynav.robots.emulators.booster_node import T1EmulatorNode
from anynav.robots.emulators.go1_udp import Go1EmulatorConfig, Go1UdpEmulator
from anynav.robots.go1.protocol import GaitType, Mode


def test_t1_walks_after_change_mode_and_stops(bench: Bench) -> None:
    robot = bench.add(T1EmulatorNode(context=bench.context))
    bridge = bench.add(
        T1Bridge(context=bench.context, cli_args=ros_args(**FAST, cmd_vel_stamped=True, shutdown_action="damp"))
    )
    requests = bench.listen(loco.REQUEST, loco.REQUEST_TOPIC)
    diagnostics = bench.listen("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics")
    cmd_vel = bench.publisher("geometry_msgs/msg/TwistStamped", "/cmd_vel")
    bench.wait(lambda: cmd_vel.get_subscription_count() and bridge.link.alive(bridge.now_ns()))
    bench.drive(cmd_vel, 0.3, 0.1, 0.2, seconds=0.5, stamped=True)
    calls = [(json.loads(r.header)["api_id"], json.loads(r.body)) for r in requests]
    assert calls[0] == (2000, {"mode": 2})  # walking first; Move only after the robot said yes
    assert calls[1:] and all(call == (2001, {"vx": 0.3, "vy": 0.1, "vyaw": 0.2}) for call in calls[1:])
    assert len({r.uuid for r in requests}) == len(requests)
    assert robot.robot.velocity(robot._now()) == pytest.approx((0.3, 0.1, 0.2))
    assert not robot.robot.rejected
    bench.spin(0.5)
    last = requests[-1]
    assert json.loads(last.body) == {"vx": 0.0, "vy": 0.0, "vyaw": 0.0}
    assert robot.robot.velocity(robot._now()) == (0.0, 0.0, 0.0) and robot.robot.pose.x > 0.05
    level, _, values = link_status(diagnostics, "bridge_t1")
    assert level is Level.OK and values["walking"] == "True"
    bench.remove(robot)
    bench.wait(lambda: link_status(diagnostics, "bridge_t1")[0] is Level.ERROR)
    bench.remove(bridge)
    bench.spin(0.1)
    assert (json.loads(requests[-1].header)["api_id"], json.loads(requests[-1].body)) == (2000, {"mode": 0})


def test_go1_streams_high_cmd_over_udp(bench: Bench) -> None:
    with Go1UdpEmulator(Go1EmulatorConfig(max_run_s=20.0)) as emulator:
        host, port = emulator.address
        bridge = bench.add(
            Go1Bridge(
                context=bench.context,
                cli_args=ros_args(
                    **FAST, robot_host=host, robot_port=port, local_port=0, rate_hz=50.0, shutdown_action="damp"
                ),
            )
        )
        odom = bench.listen("nav_msgs/msg/Odometry", "/odom")
        imu = bench.listen("sensor_msgs/msg/Imu", "/imu/data", SENSOR)
        diagnostics = bench.listen("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics")
        cmd_vel = bench.publisher("geometry_msgs/msg/Twist", "/cmd_vel")
        bench.wait(lambda: cmd_vel.get_subscription_count() and bridge.link.alive(bridge.now_ns()) and diagnostics)
        assert emulator.robot.last_cmd.mode == Mode.IDLE  # a steady stand stream before any command
        bench.drive(cmd_vel, 0.4, 0.0, -0.3, seconds=0.5)
        cmd = emulator.robot.last_cmd
        assert (cmd.mode, cmd.gait_type) == (Mode.VELOCITY_WALK, GaitType.TROT)
        assert cmd.velocity == pytest.approx((0.4, 0.0)) and cmd.yaw_speed == pytest.approx(-0.3)
        assert odom[-1].pose.pose.position.x > 0.05 and odom[-1].twist.twist.linear.x == pytest.approx(0.4)
        assert imu and imu[-1].angular_velocity.z == pytest.approx(-0.3)
        bench.spin(0.4)
        assert emulator.robot.last_cmd.mode == Mode.IDLE  # stale: stand
        assert not emulator.robot.bad_frames
        level, _, values = link_status(diagnostics, "bridge_go1")
        assert level is Level.OK and int(values["frames_received"]) > 10
        bench.remove(bridge)
        bench.wait(lambda: emulator.robot.last_cmd.mode == Mode.DAMPING, 1.0)  # shutdown_action damp


def test_go1_reports_a_lost_robot(bench: Bench) -> None:
    emulator = Go1UdpEmulator(Go1EmulatorConfig(max_run_s=20.0)).start()
    host, port = emulator.address
    bench.add(
        Go1Bridge(
            context=bench.context,
            cli_args=ros_args(**FAST, robot_host=host, robot_port=port, local_port=0, rate_hz=50.0),
        )
    )
    diagnostics = bench.listen("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics")
    bench.wait(lambda: diagnostics and link_status(diagnostics, "bridge_go1")[0] is Level.OK)
    emulator.stop()
    bench.wait(lambda: link_status(diagnostics, "bridge_go1")[0] is Level.ERROR)
    assert "robot lost" in link_status(diagnostics, "bridge_go1")[1]
