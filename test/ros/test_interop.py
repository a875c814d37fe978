"""anynav's dds backend and a plain Cyclone DDS program see each other's ROS 2 topics, exact values."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anynav.msgs.navigation import twist_message, twist_to_array
from anynav.ros import SingleThreadedExecutor, init, message_class
from anynav.ros.dds.node import Node

PEER = str(Path(__file__).with_name("plain_cyclone_peer.py"))
pytestmark = pytest.mark.multiprocess


def _wait_for_line(proc: subprocess.Popen, expected: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == expected:
            return
    raise AssertionError(f"peer never printed {expected!r}")


def test_plain_cyclone_reader_receives_exact_values_from_anynav_node():
    init(args=[])
    peer = subprocess.Popen([sys.executable, PEER, "read", "/interop_a", "5", "15"], stdout=subprocess.PIPE, text=True)
    try:
        _wait_for_line(peer, "ready")
        node = Node("interop_talker")
        pub = node.create_publisher(message_class("geometry_msgs/msg/Twist"), "/interop_a", 10)
        deadline = time.monotonic() + 10
        while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        for i in range(5):
            pub.publish(twist_message(0.1 * i, -0.3, 1.5 + i))
        out, _ = peer.communicate(timeout=20)
    finally:
        peer.kill()
    received = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert received == [{"linear": [0.1 * i, -0.3, 0.0], "angular": [0.0, 0.0, 1.5 + i]} for i in range(5)]


def test_anynav_node_receives_exact_values_from_plain_cyclone_writer():
    init(args=[])
    node = Node("interop_listener")
    got = []
    node.create_subscription(
        message_class("geometry_msgs/msg/Twist"), "/interop_b", lambda msg: got.append(twist_to_array(msg).tolist()), 10
    )
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    peer = subprocess.Popen([sys.executable, PEER, "write", "/interop_b", "4"])
    try:
        assert executor.spin_until(lambda: len(got) == 4, timeout_sec=15)
    finally:
        peer.wait(timeout=15)
    assert got == [[float(i), 0.25, -i / 2.0] for i in range(4)]


def test_topic_echo_shows_messages_from_plain_cyclone_program():
    writer = subprocess.Popen([sys.executable, PEER, "write", "/interop_c", "40"])
    try:
        echo = subprocess.run(
            [
                sys.executable,
                "-m",
                "anynav.cli.main",
                "topic",
                "echo",
                "/interop_c",
                "geometry_msgs/msg/Twist",
                "--once",
                "--timeout",
                "15",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        writer.kill()
    assert echo.returncode == 0, echo.stderr
    assert "linear:" in echo.stdout and "y: 0.25" in echo.stdout


def test_topic_pub_is_received_by_plain_cyclone_program():
    peer = subprocess.Popen([sys.executable, PEER, "read", "/interop_d", "1", "20"], stdout=subprocess.PIPE, text=True)
    try:
        _wait_for_line(peer, "ready")
        pub = subprocess.run(
            [
                sys.executable,
                "-m",
                "anynav.cli.main",
                "topic",
                "pub",
                "/interop_d",
                "geometry_msgs/msg/Twist",
                "{linear: {x: 0.5}, angular: {z: -0.25}}",
                "--once",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        out, _ = peer.communicate(timeout=25)
    finally:
        peer.kill()
    assert pub.returncode == 0, pub.stderr
    received = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert received[0] == {"linear": [0.5, 0.0, 0.0], "angular": [0.0, 0.0, -0.25]}
