"""The emulator nodes over real DDS on loopback: a probe node talks to them as a bridge would to the robot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from anynav.robots.booster import loco
from anynav.robots.emulators.booster_node import T1EmulatorNode
from anynav.robots.emulators.unitree_node import UnitreeEmulatorNode
from anynav.robots.unitree import api
from anynav.robots.unitree.lowcmd import GO_LOW_CMD, go_low_cmd
from anynav.robots.unitree.state import (
    GO_LOW_STATE,
    SPORT_MODE_STATE,
    decode_go_low_state,
    decode_sport_state,
)
from anynav.ros import (
    Node,
    QoSProfile,
    ReliabilityPolicy,
    SingleThreadedExecutor,
    message_class,
    new_message,
)
from anynav.ros.dds.context import Context

SENSOR = QoSProfile(depth=5, reliability=ReliabilityPolicy.BEST_EFFORT)


@pytest.fixture
def context() -> Iterator[Context]:
    ctx = Context()
    ctx.init([])
    yield ctx
    ctx.shutdown()


class Probe:
    """A bridge-like node: publishes requests, keeps what comes back."""

    def __init__(self, context: Context) -> None:
        self.node = Node("probe", context=context)
        self.received: dict[str, list[Any]] = {}

    def listen(self, msgtype: str, topic: str, qos: QoSProfile | int = 10) -> None:
        self.received[topic] = []
        self.node.create_subscription(message_class(msgtype), topic, self.received[topic].append, qos)


def _connected(executor: SingleThreadedExecutor, *publishers: Any) -> None:
    assert executor.spin_until(lambda: all(p.get_subscription_count() > 0 for p in publishers), 10.0)


def test_go2_emulator_over_dds(context: Context) -> None:
    emulator = UnitreeEmulatorNode("go2", context=context)
    probe = Probe(context)
    probe.listen(api.RESPONSE, "/api/sport/response")
    probe.listen(api.RESPONSE, "/api/motion_switcher/response")
    probe.listen(SPORT_MODE_STATE, "/sportmodestate", SENSOR)
    probe.listen(GO_LOW_STATE, "/lowstate", SENSOR)
    sport = probe.node.create_publisher(message_class(api.REQUEST), "/api/sport/request", 10)
    switcher = probe.node.create_publisher(message_class(api.REQUEST), "/api/motion_switcher/request", 10)
    low_cmd = probe.node.create_publisher(message_class(GO_LOW_CMD), "/lowcmd", 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(emulator)
    executor.add_node(probe.node)
    try:
        _connected(executor, sport, switcher, low_cmd)
        sport.publish(new_message(api.REQUEST, **api.sport_move(0.5, 0.0, 0.0)))
        executor.spin_until(lambda: False, 0.4)
        stop = api.sport_stop_move()
        sport.publish(new_message(api.REQUEST, **stop))
        assert executor.spin_until(lambda: probe.received["/api/sport/response"], 5.0)
        response = api.decode_response(probe.received["/api/sport/response"][-1])
        assert response.ok and response.request_id == stop["header"]["identity"]["id"]
        states = probe.received["/sportmodestate"]
        assert executor.spin_until(lambda: decode_sport_state(states[-1]).mode == 1, 5.0)
        assert 0.1 < decode_sport_state(states[-1]).position[0] < 0.5

        switcher.publish(new_message(api.REQUEST, **api.motion_switcher_release_mode()))
        assert executor.spin_until(lambda: probe.received["/api/motion_switcher/response"], 5.0)
        target = np.full(12, 0.4)
        count = len(emulator.robot.accepted)
        low_cmd.publish(new_message(GO_LOW_CMD, **go_low_cmd(target, kp=40.0, kd=1.0)))
        assert executor.spin_until(lambda: len(emulator.robot.accepted) > count, 5.0)
        executor.spin_until(lambda: False, 0.5)
        reading = decode_go_low_state(probe.received["/lowstate"][-1], motors=12)
        np.testing.assert_allclose(reading.q, target, atol=0.05)
        assert not emulator.robot.rejected
    finally:
        emulator.destroy_node()
        probe.node.destroy_node()


def test_t1_emulator_over_dds(context: Context) -> None:
    emulator = T1EmulatorNode(context=context)
    probe = Probe(context)
    probe.listen(loco.RESPONSE, loco.RESPONSE_TOPIC)
    probe.listen("nav_msgs/msg/Odometry", "/odom", SENSOR)
    requests = probe.node.create_publisher(message_class(loco.REQUEST), loco.REQUEST_TOPIC, 10)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(emulator)
    executor.add_node(probe.node)
    try:
        _connected(executor, requests)
        for fields in (
            loco.change_mode(loco.RobotMode.WALKING),
            loco.move(0.5, 0.0, 0.0),
        ):
            requests.publish(new_message(loco.REQUEST, **fields))
        assert executor.spin_until(lambda: len(probe.received[loco.RESPONSE_TOPIC]) == 2, 5.0)
        assert all(loco.decode_response(r).ok for r in probe.received[loco.RESPONSE_TOPIC])
        executor.spin_until(lambda: False, 0.3)
        odom = probe.received["/odom"][-1]
        assert odom.pose.pose.position.x > 0.05 and odom.twist.twist.linear.x == pytest.approx(0.5)
    finally:
        emulator.destroy_node()
        probe.node.destroy_node()
