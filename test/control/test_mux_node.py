"""The mux node over real DDS: priorities, deadman, latching e-stop, and zero within TTL + one period after a stall."""

from __future__ import annotations

import time

from anynav.control.mux_node import MuxNode
from anynav.msgs.navigation import twist_message
from anynav.ros import QOS_LATCHED, new_message
from graph_probe import Graph, graph_fixture  # noqa: F401  (the `graph` fixture)

TWIST = "geometry_msgs/msg/Twist"
BOOL = "std_msgs/msg/Bool"
# DDS delivery and executor wake-up on a loaded 2-core machine, on top of TTL + one period.
SLACK_S = 0.06


def _bool(value: bool) -> object:
    return new_message(BOOL, data=value)


def _moving(msg: object) -> bool:
    return abs(msg.linear.x) > 1e-9 or abs(msg.angular.z) > 1e-9  # type: ignore[attr-defined]


def _first_zero_after(graph: Graph, messages: list, since: float) -> float:
    """Seconds from ``since`` to the first zero output that arrived after it; fails if none did."""
    times = graph.times(messages)
    for msg, at in zip(messages, times, strict=True):
        if at > since and not _moving(msg):
            return at - since
    raise AssertionError("no zero command after the stall")


def _settled_zero(graph: Graph, messages: list, since: float) -> bool:
    """Every output after ``since`` is zero."""
    return all(not _moving(m) for m, t in zip(messages, graph.times(messages), strict=True) if t >= since)


def test_autonomy_stall_gives_zero_within_ttl_plus_period(graph: Graph) -> None:
    ttl, rate = 0.2, 20.0
    graph.add(MuxNode, autonomy_ttl_s=ttl, rate_hz=rate, startup_hold_s=0.0)
    out = graph.listen(TWIST, "/cmd_vel")
    autonomy = graph.publisher(TWIST, "/cmd_vel/autonomy")
    graph.connect(autonomy)
    last = graph.publish_for([(autonomy, twist_message(0.4, 0.0, 0.2))], 0.5, 20.0)
    assert any(_moving(m) and m.linear.x == 0.4 and m.angular.z == 0.2 for m in out)
    graph.spin(ttl + 0.4)
    delay = _first_zero_after(graph, out, last)
    assert delay <= ttl + 1.0 / rate + SLACK_S
    assert _settled_zero(graph, out, last + ttl + 1.0 / rate + SLACK_S)


def test_teleop_needs_deadman_and_stops_when_it_is_lost(graph: Graph) -> None:
    deadman_ttl, rate = 0.2, 20.0
    graph.add(MuxNode, deadman_ttl_s=deadman_ttl, teleop_ttl_s=1.0, rate_hz=rate, startup_hold_s=0.0)
    out = graph.listen(TWIST, "/cmd_vel")
    teleop = graph.publisher(TWIST, "/cmd_vel/teleop")
    deadman = graph.publisher(BOOL, "/teleop/deadman")
    graph.connect(teleop, deadman)

    graph.publish_for([(teleop, twist_message(0.3, 0.0, 0.0))], 0.3, 20.0)
    assert out and not any(_moving(m) for m in out), "teleop without the deadman must not move the robot"

    held = graph.publish_for([(teleop, twist_message(0.3, 0.0, 0.0)), (deadman, _bool(True))], 0.4, 20.0)
    assert any(m.linear.x == 0.3 for m in out)
    # The operator lets go of the deadman (its signal stops); teleop keeps sending (a stuck stick).
    graph.publish_for([(teleop, twist_message(0.3, 0.0, 0.0))], 0.6, 20.0)
    assert _first_zero_after(graph, out, held) <= deadman_ttl + 1.0 / rate + SLACK_S
    assert _settled_zero(graph, out, held + deadman_ttl + 1.0 / rate + SLACK_S)


def test_priorities_teleop_over_language_over_autonomy(graph: Graph) -> None:
    graph.add(MuxNode, teleop_needs_deadman=False, startup_hold_s=0.0)
    out = graph.listen(TWIST, "/cmd_vel")
    pubs = {name: graph.publisher(TWIST, f"/cmd_vel/{name}") for name in ("teleop", "language", "autonomy")}
    graph.connect(*pubs.values())
    commands = {
        "teleop": twist_message(0.1, 0, 0),
        "language": twist_message(0.2, 0, 0),
        "autonomy": twist_message(0.3, 0, 0),
    }
    graph.publish_for([(pubs["autonomy"], commands["autonomy"])], 0.2, 20.0)
    assert out[-1].linear.x == 0.3
    graph.publish_for([(pubs[n], commands[n]) for n in ("autonomy", "language")], 0.2, 20.0)
    assert out[-1].linear.x == 0.2
    graph.publish_for([(pubs[n], commands[n]) for n in ("autonomy", "language", "teleop")], 0.2, 20.0)
    assert out[-1].linear.x == 0.1


def test_estop_latches_until_released_and_reset(graph: Graph) -> None:
    rate = 20.0
    graph.add(MuxNode, rate_hz=rate, startup_hold_s=0.0)
    out = graph.listen(TWIST, "/cmd_vel")
    autonomy = graph.publisher(TWIST, "/cmd_vel/autonomy")
    estop = graph.publisher(BOOL, "/estop")
    reset = graph.publisher("std_msgs/msg/Empty", "/estop/reset")
    graph.connect(autonomy, estop, reset)
    drive = [(autonomy, twist_message(0.5, 0.0, 0.0))]
    graph.publish_for(drive, 0.3, 20.0)
    assert out[-1].linear.x == 0.5

    estop.publish(_bool(True))
    pressed = time.monotonic()
    graph.publish_for(drive, 0.3, 20.0)
    assert _first_zero_after(graph, out, pressed) <= 1.0 / rate + SLACK_S
    estop.publish(_bool(False))
    graph.publish_for(drive, 0.3, 20.0)
    assert _settled_zero(graph, out, pressed + 1.0 / rate + SLACK_S), "released but not reset: still latched"

    reset.publish(new_message("std_msgs/msg/Empty"))
    graph.publish_for(drive, 0.3, 20.0)
    assert out[-1].linear.x == 0.5


def test_latched_estop_sent_before_the_mux_started_holds_it(graph: Graph) -> None:
    latched = graph.publisher(BOOL, "/estop", QOS_LATCHED)
    latched.publish(_bool(True))
    graph.add(MuxNode)
    out = graph.listen(TWIST, "/cmd_vel")
    autonomy = graph.publisher(TWIST, "/cmd_vel/autonomy")
    graph.connect(autonomy)
    graph.publish_for([(autonomy, twist_message(0.5, 0.0, 0.0))], 0.5, 20.0)
    assert out and not any(_moving(m) for m in out)


def test_stamped_output(graph: Graph) -> None:
    graph.add(MuxNode, output_stamped=True, frame_id="base_footprint", startup_hold_s=0.0)
    out = graph.listen("geometry_msgs/msg/TwistStamped", "/cmd_vel")
    autonomy = graph.publisher(TWIST, "/cmd_vel/autonomy")
    graph.connect(autonomy)
    before = graph.now_ns()
    graph.publish_for([(autonomy, twist_message(0.25, 0.0, -0.1))], 0.3, 20.0)
    moving = [m for m in out if m.twist.linear.x == 0.25]
    assert moving and moving[-1].twist.angular.z == -0.1
    assert moving[-1].header.frame_id == "base_footprint"
    assert moving[-1].header.stamp.sec * 10**9 + moving[-1].header.stamp.nanosec >= before
