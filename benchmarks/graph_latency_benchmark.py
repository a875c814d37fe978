"""Camera-stamp-to-/cmd_vel latency through policy -> follower -> mux, each node its own process (as `anynav launch`).

This process plays the camera (224x224 rgb8 Image at 10.3 Hz, stamped with the wall clock when
published, like a driver), the mission (/mission/goal at 10 Hz) and, for the baseline, the
LiDAR (10 Hz cloud + /tf_static). The policy, follower and mux nodes run as separate processes
on the dds backend. Each /policy/waypoints path is attributed to the camera frame (or cloud)
whose stamp it carries; the follower core computes the command that path must give, and the
first /cmd_vel with exactly that command marks the end of the chain. The follower runs with
unsaturated limits (dt_s 5 s) so that each path gives a distinct command.

Rows: LogoNav (full size, random weights: the compute of the real model) and the baseline
(cloud stamp instead of camera stamp). Target: one policy period + 20 ms (issue 4, item 8).
Columns split the chain: frame -> path (transport, decode, context, inference) and
path -> cmd_vel (follower's 10 Hz loop, mux forwarding at once).

    python benchmarks/graph_latency_benchmark.py [--seconds 40] [--model-dir DIR] [--only logonav|baseline]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

NS = 1_000_000_000
CAMERA_HZ = 10.3  # off the follower's 10 Hz, so the phase between the two sweeps over the run
FOLLOWER = {
    "rate_hz": 10.0,
    "dt_s": 5.0,
    "max_linear_mps": 5.0,
    "max_angular_rps": 10.0,
    "max_linear_accel_mps2": 50.0,
    "max_angular_accel_rps2": 100.0,
    "path_ttl_s": 1.0,
}
MATCH_TOLERANCE = 1e-9
# A path replaced before the follower's next tick never reaches /cmd_vel; do not match a later look-alike.
MATCH_WINDOW_NS = NS


@dataclass
class Run:
    """What the probe saw: frames sent, paths and commands received (wall-clock ns)."""

    paths: list[tuple[int, int, np.ndarray]] = field(default_factory=list)  # (stamp, arrival, points)
    commands: list[tuple[int, float, float]] = field(default_factory=list)  # (arrival, vx, wz)
    inference_ms: list[float] = field(default_factory=list)


def node_command(node: str, params: dict[str, Any]) -> list[str]:
    command = [sys.executable, "-u", "-m", "anynav.nodes", node, "--ros-args"]
    for key, value in params.items():
        command += ["-p", f"{key}:={value}"]
    return command


def camera_images(count: int, seed: int = 0) -> list[np.ndarray]:
    """Smooth gradients plus noise, different per frame, 224x224 RGB like the sim camera."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:224, 0:224] / 224.0
    images = []
    for _ in range(count):
        phase = rng.uniform(0, 2 * np.pi, 3)
        base = np.stack([np.sin(6 * x + phase[c]) * np.cos(4 * y + phase[c]) for c in range(3)], axis=-1)
        noisy = 127.5 + 100 * base + rng.normal(0, 10, base.shape)
        images.append(np.clip(noisy, 0, 255).astype(np.uint8))
    return images


def run_graph(policy: str, model_dir: Path | None, seconds: float) -> tuple[Run, float]:
    """Start the three nodes, drive them for ``seconds``, return what came back and the policy rate."""
    from anynav.control.follower import FollowerConfig  # noqa: F401  (checked import before starting processes)
    from anynav.msgs.image import numpy_to_image
    from anynav.msgs.navigation import path_to_arrays, quaternion_from_yaw, quaternion_msg
    from anynav.msgs.pointcloud import xyz_to_pointcloud
    from anynav.msgs.time import header, stamp_to_ns
    from anynav.ros import QOS_LATCHED, Node, SingleThreadedExecutor, message_class, new_message
    from anynav.ros.dds.context import default_context

    policy_params: dict[str, Any] = {"policy": policy, "threads": 1, "diagnostic_period_s": 0.5}
    if model_dir is not None:
        policy_params["model_dir"] = str(model_dir)
    else:
        policy_params |= {"lidar_topic": "/utlidar/cloud", "baseline.obstacle_min_z": -0.15}
    processes = [
        subprocess.Popen(node_command("policy", policy_params)),
        subprocess.Popen(node_command("follower", FOLLOWER)),
        subprocess.Popen(node_command("mux", {"startup_hold_s": 0.0})),
    ]
    default_context.init([])
    probe = Node("latency_probe")
    run = Run()

    def on_path(msg: Any) -> None:
        points, _ = path_to_arrays(msg)
        run.paths.append((stamp_to_ns(msg.header.stamp), time.time_ns(), points[:, :2]))

    def on_cmd(msg: Any) -> None:
        run.commands.append((time.time_ns(), float(msg.linear.x), float(msg.angular.z)))

    def on_diagnostics(msg: Any) -> None:
        for status in msg.status:
            if status.name == "policy: waypoints":
                for value in status.values:
                    if value.key == "last_inference_ms" and value.value != "nan":
                        run.inference_ms.append(float(value.value))

    probe.create_subscription(message_class("nav_msgs/msg/Path"), "/policy/waypoints", on_path, 50)
    probe.create_subscription(message_class("geometry_msgs/msg/Twist"), "/cmd_vel", on_cmd, 100)
    probe.create_subscription(message_class("diagnostic_msgs/msg/DiagnosticArray"), "/diagnostics", on_diagnostics, 50)
    image_pub = probe.create_publisher(message_class("sensor_msgs/msg/Image"), "/camera/image_raw", 5)
    goal_pub = probe.create_publisher(message_class("geometry_msgs/msg/PoseStamped"), "/mission/goal", 10)
    cloud_pub = probe.create_publisher(message_class("sensor_msgs/msg/PointCloud2"), "/utlidar/cloud", 5)
    tf_pub = probe.create_publisher(message_class("tf2_msgs/msg/TFMessage"), "/tf_static", QOS_LATCHED)
    mount = new_message(
        "geometry_msgs/msg/TransformStamped",
        header=header("base_link", time.time_ns()),
        child_frame_id="utlidar_lidar",
        transform=new_message(
            "geometry_msgs/msg/Transform",
            translation=new_message("geometry_msgs/msg/Vector3", x=0.28, z=-0.05),
            rotation=quaternion_msg(quaternion_from_yaw(0.0)),
        ),
    )
    tf_pub.publish(new_message("tf2_msgs/msg/TFMessage", transforms=[mount]))
    executor = SingleThreadedExecutor()
    executor.add_node(probe)
    images = camera_images(16)
    rng = np.random.default_rng(1)
    # A 20 000-point sweep like the sim's L1: ground (below the obstacle band) and posts beyond the look-ahead,
    # so the plan follows the goal bearing while every point is still transformed and filtered.
    ground = np.column_stack([rng.uniform(0.3, 10, 19_000), rng.uniform(-8, 8, 19_000), np.full(19_000, -0.3)])
    posts = np.column_stack([rng.uniform(5, 10, 1_000), rng.uniform(-8, 8, 1_000), rng.uniform(0, 0.5, 1_000)])
    obstacles = np.vstack([ground, posts])
    trigger = cloud_pub if model_dir is None else image_pub
    executor.spin_until(lambda: trigger.get_subscription_count() > 0 and goal_pub.get_subscription_count() > 0, 60.0)
    rate_hz = 5.0 if model_dir is None else 0.0

    frame = 0
    next_s = time.monotonic()
    end = next_s + seconds + 5.0  # 5 s to fill the context first
    try:
        while time.monotonic() < end:
            now = time.time_ns()
            bearing = math.radians(-60 + (frame * 7) % 120)  # a new goal bearing every frame: distinct plans
            goal = new_message(
                "geometry_msgs/msg/PoseStamped",
                header=header("base_link", now),
                pose=new_message(
                    "geometry_msgs/msg/Pose",
                    position=new_message("geometry_msgs/msg/Point", x=8 * math.cos(bearing), y=8 * math.sin(bearing)),
                    orientation=quaternion_msg(quaternion_from_yaw(bearing)),
                ),
            )
            goal_pub.publish(goal)
            if model_dir is None:
                cloud_pub.publish(xyz_to_pointcloud(obstacles - [0.28, 0.0, -0.05], "utlidar_lidar", time.time_ns()))
            else:
                image_pub.publish(numpy_to_image(images[frame % len(images)], "rgb8", "camera", time.time_ns()))
            frame += 1
            next_s += 1.0 / CAMERA_HZ
            while time.monotonic() < next_s:
                executor.spin_once(max(0.0, next_s - time.monotonic()))
        executor.spin_until(lambda: False, 1.0)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        probe.destroy_node()
        default_context.shutdown()
    if rate_hz == 0.0:
        from anynav.policy.card import load_card

        rate_hz = 1.0 / load_card(model_dir).config.context_spacing_s
    return run, rate_hz


def latencies(run: Run) -> tuple[list[float], list[float], list[float], str]:
    """Per attributable path: frame->path, path->cmd_vel, frame->cmd_vel (ms), and how many were attributable."""
    from anynav.control.follower import Follower, FollowerConfig

    config = FollowerConfig(**FOLLOWER)
    to_path, to_cmd, total = [], [], []
    previous: tuple[float, float] | None = None
    same = unmatched = 0
    for stamp, arrival, points in run.paths:
        follower = Follower(config)
        follower.set_path(points, stamp)
        command = follower.step(stamp).command
        expected = (command.vx, command.wz)
        distinct = previous is None or max(abs(expected[0] - previous[0]), abs(expected[1] - previous[1])) > 1e-4
        previous = expected
        if not distinct:
            same += 1
            continue
        match = next(
            (
                t
                for t, vx, wz in run.commands
                if stamp <= t <= stamp + MATCH_WINDOW_NS
                and abs(vx - expected[0]) < MATCH_TOLERANCE
                and abs(wz - expected[1]) < MATCH_TOLERANCE
            ),
            None,
        )
        if match is None:
            unmatched += 1
            continue
        to_path.append((arrival - stamp) / 1e6)
        to_cmd.append((match - arrival) / 1e6)
        total.append((match - stamp) / 1e6)
    note = f"{len(total)} of {len(run.paths)} paths attributed ({same} same command as before, {unmatched} unmatched)"
    return to_path, to_cmd, total, note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=40.0, help="measured seconds per policy (default 40)")
    parser.add_argument("--model-dir", type=Path, help="exported LogoNav (default: export random weights now)")
    parser.add_argument("--only", choices=("logonav", "baseline"), help="run one row only")
    args = parser.parse_args()
    os.environ.setdefault("ROS_DOMAIN_ID", str(random.randint(100, 200)))
    os.environ["ANYNAV_BACKEND"] = "dds"
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}; "
        f"ROS_DOMAIN_ID {os.environ['ROS_DOMAIN_ID']}; nodes as separate processes",
        flush=True,
    )
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        if args.only != "baseline":
            model_dir = args.model_dir
            if model_dir is None:
                from anynav.policy.export import export_policy

                model_dir = Path(workdir) / "logonav"
                print("exporting LogoNav with random weights ...", flush=True)
                export_policy("logonav", model_dir, None, progress=lambda _line: None)
            rows.append(("logonav (camera)", *run_graph("logonav", model_dir, args.seconds)))
        if args.only != "logonav":
            rows.append(("baseline (LiDAR)", *run_graph("baseline", None, args.seconds)))

    print(
        f"\n{'policy':18} {'ticks':>5} {'infer p50':>9} {'->path p50':>10} {'->path p99':>10} "
        f"{'path->cmd p50':>13} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'target':>7} {'p99/target':>10}"
    )
    notes: list[str] = []
    for name, run, rate_hz in rows:
        to_path, to_cmd, total, note = latencies(run)
        notes.append(f"{name}: {note}")
        if not total:
            print(f"{name:18} no attributable ticks (paths {len(run.paths)}, commands {len(run.commands)})")
            continue
        target = 1e3 / rate_hz + 20.0
        infer = np.median(run.inference_ms) if run.inference_ms else math.nan
        p = lambda values, q: float(np.percentile(values, q))  # noqa: E731
        print(
            f"{name:18} {len(total):5d} {infer:9.1f} {p(to_path, 50):10.1f} {p(to_path, 99):10.1f} "
            f"{p(to_cmd, 50):13.1f} {p(total, 50):7.1f} {p(total, 99):7.1f} {max(total):7.1f} {target:7.0f} "
            f"{p(total, 99) / target:10.2f}"
        )
    print("\n".join(notes))


if __name__ == "__main__":
    main()
