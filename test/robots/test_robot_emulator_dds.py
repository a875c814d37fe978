"""The emulator nodes over real DDS on loopback: a probe node talks to them as a bridge would to the robot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from bridge_helpers import SENSOR, Bench

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
from anynav.ros import new_message


def _connected(bench: Bench, *publishers: Any) -> None:
    bench.wait(lambda: all(p.get_subscription_count() > 0 for p in publishers), 10.0)


def test_go2_emulator_over_dds(bench: Bench) -> None:
    emulator = bench.add(UnitreeEmulatorNode("go2", context=bench.context))
    sport_responses = bench.listen(api.RESPONSE, "/api/sport/response")
    switcher_responses = bench.listen(api.RESPONSE, "/api/motion_switcher/response")
    states = bench.listen(SPORT_MODE_STATE, "/sportmodestate", SENSOR)
    low_states = bench.listen(GO_LOW_STATE, "/lowstate", SENSOR)
    sport = bench.publisher(api.REQUEST, "/api/sport/request")
    switcher = bench.publisher(api.REQUEST, "/api/motion_switcher/request")
    low_cmd = bench.publisher(GO_LOW_CMD, "/lowcmd")
    _connected(bench, sport, switcher, low_cmd)
    sport.publish(new_message(api.REQUEST, **api.sport_move(0.5, 0.0, 0.0)))
    bench.spin(0.4)
    stop = api.sport_stop_move()
    sport.publish(new_message(api.REQUEST, **stop))
    bench.wait(lambda: sport_responses)
    response = api.decode_response(sport_responses[-1])
    assert response.ok and response.request_id == stop["header"]["identity"]["id"]
    bench.wait(lambda: decode_sport_state(states[-1]).mode == 1)
    assert 0.1 < decode_sport_state(states[-1]).position[0] < 0.5

    switcher.publish(new_message(api.REQUEST, **api.motion_switcher_release_mode()))
    bench.wait(lambda: switcher_responses)
    target = np.full(12, 0.4)
    count = len(emulator.robot.accepted)
    low_cmd.publish(new_message(GO_LOW_CMD, **go_low_cmd(target, kp=40.0, kd=1.0)))
    bench.wait(lambda: len(emulator.robot.accepted) > count)
    bench.spin(0.5)
    reading = decode_go_low_state(low_states[-1], motors=12)
    np.testing.assert_allclose(reading.q, target, atol=0.05)
    assert not emulator.robot.rejected


def test_t1_emulator_over_dds(bench: Bench) -> None:
    bench.add(T1EmulatorNode(context=bench.context))
    responses = bench.listen(loco.RESPONSE, loco.RESPONSE_TOPIC)
    odometry = bench.listen("nav_msgs/msg/Odometry", "/odom", SENSOR)
    requests = bench.publisher(loco.REQUEST, loco.REQUEST_TOPIC)
    _connected(bench, requests)
    for fields in (
        loco.change_mode(loco.RobotMode.WALKING),
        loco.move(0.5, 0.0, 0.0),
    ):
        requests.publish(new_message(loco.REQUEST, **fields))
    bench.wait(lambda: len(responses) == 2)
    assert all(loco.decode_response(r).ok for r in responses)
    bench.spin(0.3)
    odom = odometry[-1]
    assert odom.pose.pose.position.x > 0.05 and odom.twist.twist.linear.x == pytest.approx(0.5)
