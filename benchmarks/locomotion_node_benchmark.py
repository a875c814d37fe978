"""The locomotion node's output through DDS: /joint_command rate and period jitter, against its velocity mode.

The node runs as its own process (`python -m anynav.nodes locomotion`, dds backend, loopback),
in policy mode with a random-weight MLP of NaVILA's Go2 vision shape (909 → 512 → 256 → 128 →
12) at the spec's 50 Hz, fed /joint_states and /imu/data at 50 Hz and /cmd_vel at 20 Hz by this
process, which timestamps every /joint_command on arrival. The baseline is the same node in
velocity mode at 50 Hz (same executor, same DDS, no ONNX): the difference is what the policy
step costs the loop's timing.

    python benchmarks/locomotion_node_benchmark.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

import numpy as np

from anynav.msgs.navigation import twist_message
from anynav.robots.bridges.lowlevel import GO2_LAYOUT
from anynav.ros import Node, SingleThreadedExecutor, message_class, new_message, qos_profile_sensor_data
from anynav.ros.dds.context import Context

PERIOD_S = 0.02


def start_node(mode: str) -> subprocess.Popen:
    params = {"mode": mode, "network_interface": "lo", "diagnostics_period_s": 1.0}
    if mode == "policy":
        params |= {"policy_model": "random:1", "map_fallback": "stand", "warmup_s": 0.0}
    else:
        params |= {"rate_hz": 50.0}
    args = [f"{key}:={value}" for key, value in params.items()]
    command = [sys.executable, "-m", "anynav.nodes", "locomotion", "--ros-args"]
    for arg in args:
        command += ["-p", arg]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Probe:
    """This process's side: feeds the node's inputs and timestamps its outputs (one DDS participant for all runs)."""

    def __init__(self) -> None:
        self.context = Context()
        self.context.init([])
        self.node = Node("bench_probe", context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self.arrivals: list[float] = []
        for msgtype, topic in (
            ("anynav_msgs/msg/JointCommand", "/joint_command"),
            ("geometry_msgs/msg/Twist", "/cmd_vel/robot"),
        ):
            self.node.create_subscription(
                message_class(msgtype), topic, lambda _m: self.arrivals.append(time.perf_counter()), 100
            )
        self.joints = self.node.create_publisher(message_class("sensor_msgs/msg/JointState"), "/joint_states", 10)
        self.imu = self.node.create_publisher(
            message_class("sensor_msgs/msg/Imu"), "/imu/data", qos_profile_sensor_data
        )
        self.cmd = self.node.create_publisher(message_class("geometry_msgs/msg/Twist"), "/cmd_vel", 10)
        self.joint_msg = new_message(
            "sensor_msgs/msg/JointState",
            name=list(GO2_LAYOUT.names),
            position=np.zeros(12),
            velocity=np.zeros(12),
            effort=np.zeros(12),
        )
        self.imu_msg = new_message(
            "sensor_msgs/msg/Imu", orientation=new_message("geometry_msgs/msg/Quaternion", w=1.0)
        )

    def measure(self, mode: str, seconds: float) -> np.ndarray:
        """Arrival times (s) of the node's output over `seconds`, after a 2 s settling time."""
        process = start_node(mode)
        self.arrivals.clear()
        try:
            start = time.perf_counter()
            next_tick = start
            tick = 0
            while time.perf_counter() - start < seconds + 2.0:
                self.joints.publish(self.joint_msg)
                self.imu.publish(self.imu_msg)
                if tick % 5 == 0:
                    self.cmd.publish(twist_message(0.5, 0.0, 0.0))
                tick += 1
                next_tick += PERIOD_S
                self.executor.spin_until(lambda: False, max(0.0, next_tick - time.perf_counter()))
            times = np.array(self.arrivals)
            return times[times > start + 2.0]
        finally:
            process.terminate()
            process.wait(timeout=10)
            self.executor.spin_until(lambda: False, 0.5)  # drain what the node sent last

    def close(self) -> None:
        self.context.shutdown()


def summarise(times: np.ndarray, seconds: float) -> dict[str, float]:
    periods = np.diff(times) * 1e3
    jitter = np.abs(periods - PERIOD_S * 1e3)
    return {
        "rate_hz": len(times) / seconds,
        "p50_ms": float(np.percentile(periods, 50)),
        "p99_ms": float(np.percentile(periods, 99)),
        "max_ms": float(periods.max()),
        "jitter_p99_ms": float(np.percentile(jitter, 99)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    os.environ.setdefault("ROS_DOMAIN_ID", str(100 + os.getpid() % 100))
    os.environ["ANYNAV_NETWORK_INTERFACE"] = "lo"  # the probe on loopback, as the node
    probe = Probe()
    try:
        results = {mode: summarise(probe.measure(mode, args.seconds), args.seconds) for mode in ("velocity", "policy")}
    finally:
        probe.close()
    print(
        f"locomotion node through DDS, {args.seconds:g} s per mode, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
    )
    print(f"{'output':<38}{'rate Hz':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'|jitter| p99':>14}{'vs base':>9}")
    base = results["velocity"]["jitter_p99_ms"]
    labels = {"velocity": "velocity mode /cmd_vel/robot (base)", "policy": "policy mode /joint_command (909 MLP)"}
    for mode, r in results.items():
        ratio = r["jitter_p99_ms"] / base if base > 0 else float("nan")
        print(
            f"{labels[mode]:<38}{r['rate_hz']:>9.1f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['max_ms']:>9.2f}"
            f"{r['jitter_p99_ms']:>14.2f}{ratio:>8.2f}x"
        )


if __name__ == "__main__":
    main()
