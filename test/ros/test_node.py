"""Nodes on the dds backend: pub/sub in one process, timers, sim time, remaps, process lifecycle."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time

import pytest

from anynav.ros import QOS_LATCHED, SingleThreadedExecutor, init, message_class, new_message
from anynav.ros.dds.node import Node


def spin(*nodes: Node, until, timeout: float = 5.0) -> bool:
    executor = SingleThreadedExecutor()
    for node in nodes:
        executor.add_node(node)
    return executor.spin_until(until, timeout_sec=timeout)


def test_publish_subscribe_and_malformed_drop():
    init(args=[])
    talker, listener = Node("pubsub_talker"), Node("pubsub_listener")
    got = []
    listener.create_subscription(message_class("std_msgs/msg/String"), "pubsub", lambda m: got.append(m.data), 10)
    pub = talker.create_publisher(message_class("std_msgs/msg/String"), "pubsub", 10)
    assert spin(talker, listener, until=lambda: pub.get_subscription_count() > 0)
    # Valid CDR framing that Cyclone passes on, but not UTF-8: dropped and counted, never fatal.
    pub.publish(b"\x00\x01\x00\x00" + (3).to_bytes(4, "little") + b"\xff\xfe\x00\x00")
    pub.publish(new_message("std_msgs/msg/String", data="after the bad one"))
    assert spin(talker, listener, until=lambda: len(got) == 1)
    assert got == ["after the bad one"]
    assert listener.subscriptions[0].dropped == 1


def test_cyclone_refuses_to_send_truncated_cdr():
    init(args=[])
    node = Node("truncating_talker")
    pub = node.create_publisher(message_class("geometry_msgs/msg/Twist"), "truncated", 10)
    with pytest.raises(RuntimeError, match="DDS write on /truncated failed"):
        pub.publish(b"\x00\x01\x00\x00" + bytes(3))


def test_latched_topic_reaches_late_subscriber():
    init(args=[])
    talker = Node("latched_talker")
    pub = talker.create_publisher(message_class("std_msgs/msg/String"), "latched", QOS_LATCHED)
    pub.publish(new_message("std_msgs/msg/String", data="mission loaded"))
    late = Node("latched_listener")
    got = []
    late.create_subscription(message_class("std_msgs/msg/String"), "latched", lambda m: got.append(m.data), QOS_LATCHED)
    assert spin(talker, late, until=lambda: got == ["mission loaded"])


def test_timer_rate():
    init(args=[])
    node = Node("timer_node")
    ticks = []
    node.create_timer(0.02, lambda: ticks.append(time.monotonic()))
    spin(node, until=lambda: len(ticks) >= 11, timeout=3.0)
    period = (ticks[-1] - ticks[0]) / (len(ticks) - 1)
    assert len(ticks) >= 11 and math.isclose(period, 0.02, rel_tol=0.5)


def test_sim_time_follows_clock_and_drives_timers():
    init(args=[])
    node = Node("sim_time_node", cli_args=["--ros-args", "-p", "use_sim_time:=true"])
    clock_source = Node("clock_source")
    pub = clock_source.create_publisher(message_class("rosgraph_msgs/msg/Clock"), "/clock", 10)
    fired = []
    node.create_timer(1.0, lambda: fired.append(node.get_clock().now().nanoseconds))
    assert node.get_clock().now().nanoseconds == 0
    sim_ns = 100 * 10**9

    def tick() -> bool:
        nonlocal sim_ns
        sim_ns += 250_000_000
        pub.publish(new_message("rosgraph_msgs/msg/Clock", clock={"sec": sim_ns // 10**9, "nanosec": sim_ns % 10**9}))
        return len(fired) >= 2

    assert spin(node, clock_source, until=tick, timeout=10.0)
    assert fired[0] >= 100 * 10**9 and fired[1] - fired[0] >= 10**9 - 250_000_000


def test_remap_from_command_line():
    init(args=[])
    node = Node("remapped", cli_args=["--ros-args", "-r", "chatter:=/robot/talk"])
    pub = node.create_publisher(message_class("std_msgs/msg/String"), "chatter", 10)
    assert pub.topic_name == "/robot/talk"


def test_node_process_exits_cleanly_on_sigterm_and_sigint():
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen(
            [sys.executable, "-m", "anynav.nodes", "talker", "--ros-args", "-p", "rate_hz:=50.0"],
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and "published #2" not in proc.stderr.readline():
            pass
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0


def test_bad_parameter_exits_2_naming_node_key_and_range():
    proc = subprocess.run(
        [sys.executable, "-m", "anynav.nodes", "talker", "--ros-args", "-p", "rate_hz:=0.0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "'/talker'" in proc.stderr and "'rate_hz'" in proc.stderr and "[0.1, 1000.0]" in proc.stderr
