"""The follower node over real DDS: steers along fresh paths, gives zero when the path stops or is unusable."""

from __future__ import annotations

import math

import numpy as np

from anynav.control.follower_node import FollowerNode
from anynav.control.mux_node import MuxNode
from anynav.msgs.navigation import arrays_to_path
from graph_probe import Graph, graph_fixture  # noqa: F401  (the `graph` fixture)

TWIST = "geometry_msgs/msg/Twist"
PATH = "nav_msgs/msg/Path"
SLACK_S = 0.06
AHEAD_LEFT = np.array([[0.2, 0.05], [0.4, 0.1], [0.6, 0.15], [0.8, 0.2]])


def _moving(msg: object) -> bool:
    return abs(msg.linear.x) > 1e-9 or abs(msg.angular.z) > 1e-9  # type: ignore[attr-defined]


def _path(points: np.ndarray, frame: str = "base_link"):
    return lambda stamp_ns: arrays_to_path(points, None, frame, stamp_ns)


def test_follows_a_fresh_path_and_stops_within_ttl_plus_period_after_it_stops(graph: Graph) -> None:
    ttl, rate = 0.3, 20.0
    graph.add(FollowerNode, path_ttl_s=ttl, rate_hz=rate, max_linear_accel_mps2=50.0, max_angular_accel_rps2=100.0)
    out = graph.listen(TWIST, "/cmd_vel/autonomy")
    paths = graph.publisher(PATH, "/policy/waypoints")
    graph.connect(paths)
    last = graph.publish_for([(paths, _path(AHEAD_LEFT))], 0.5, 5.0)
    moving = [m for m in out if _moving(m)]
    assert moving, "a fresh path must move the robot"
    # Waypoint 2 = (0.6, 0.15) in dt 0.25 s, then saturated together to 0.5 m/s: the curvature is kept.
    command = moving[-1]
    expected_w = math.atan2(0.15, 0.6) / 0.25
    assert command.linear.x == np.float64(0.5)
    assert command.angular.z / command.linear.x == np.float64(expected_w / (0.6 / 0.25))
    graph.spin(ttl + 0.3)
    times = graph.times(out)
    first_zero = next(t for m, t in zip(out, times, strict=True) if t > last and not _moving(m))
    assert first_zero - last <= ttl + 1.0 / rate + SLACK_S
    assert all(not _moving(m) for m, t in zip(out, times, strict=True) if t > first_zero)


def test_stale_wrong_frame_and_malformed_paths_give_zero(graph: Graph) -> None:
    graph.add(FollowerNode, path_ttl_s=0.3)
    out = graph.listen(TWIST, "/cmd_vel/autonomy")
    paths = graph.publisher(PATH, "/policy/waypoints")
    graph.connect(paths)
    old = lambda stamp_ns: arrays_to_path(AHEAD_LEFT, None, "base_link", stamp_ns - 2 * 10**9)  # noqa: E731
    for message in (old, _path(AHEAD_LEFT, frame="odom"), _path(np.array([[0.5, 0.0]]))):
        start = len(out)
        graph.publish_for([(paths, message)], 0.4, 10.0)
        assert len(out) > start and not any(_moving(m) for m in out[start:])


def test_path_stall_through_follower_and_mux_gives_zero_cmd_vel(graph: Graph) -> None:
    path_ttl, follower_rate, mux_rate, autonomy_ttl = 0.3, 10.0, 20.0, 0.3
    graph.add(FollowerNode, path_ttl_s=path_ttl, rate_hz=follower_rate)
    graph.add(MuxNode, rate_hz=mux_rate, autonomy_ttl_s=autonomy_ttl, startup_hold_s=0.0)
    out = graph.listen(TWIST, "/cmd_vel")
    paths = graph.publisher(PATH, "/policy/waypoints")
    graph.connect(paths)
    last = graph.publish_for([(paths, _path(AHEAD_LEFT))], 0.8, 5.0)
    assert any(_moving(m) for m in out)
    graph.spin(path_ttl + 0.4)
    times = graph.times(out)
    first_zero = next(t for m, t in zip(out, times, strict=True) if t > last and not _moving(m))
    # The follower sends zero within its TTL + one period; the mux forwards it at once.
    assert first_zero - last <= path_ttl + 1.0 / follower_rate + SLACK_S
    assert all(not _moving(m) for m, t in zip(out, times, strict=True) if t > first_zero)
