"""Transport benchmark: anynav's dds backend against plain Cyclone DDS, two processes on loopback.

Cases: a 640×480 rgb8 Image at 30 Hz and a Twist at 1 kHz, reliable QoS (keep last 10).
The baseline sends the same payload sizes through plain cyclonedds as a sequence<octet>
serialized by cyclonedds-python itself (a `bytes` field serializes faster but cannot be a
topic type). Prints p50/p99 latency, achieved rate, drops and ratios.

    python benchmarks/transport_benchmark.py [--seconds 5]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from cyclonedds.idl import IdlStruct
from cyclonedds.idl import types as t

IMAGE_SHAPE = (480, 640, 3)
CASES = {"image": 30.0, "twist": 1000.0}
TWIST_BYTES = 48  # CDR payload of a Twist: six float64


# ---- the plain Cyclone baseline (no `from __future__ import annotations`: Cyclone reads them) --
@dataclass
class Blob(IdlStruct, typename="bench::Blob"):
    stamp_ns: t.int64
    data: t.sequence[t.byte]


def plain_qos():
    from cyclonedds.core import Policy, Qos
    from cyclonedds.util import duration

    return Qos(Policy.Reliability.Reliable(duration(milliseconds=100)), Policy.History.KeepLast(10))


def plain_publish(case: str, rate: float, seconds: float) -> int:
    from cyclonedds.domain import DomainParticipant
    from cyclonedds.pub import DataWriter
    from cyclonedds.topic import Topic

    blob = Blob
    participant = DomainParticipant(int(os.environ["ROS_DOMAIN_ID"]))
    writer = DataWriter(participant, Topic(participant, f"bench_{case}", blob), plain_qos())
    wait_matched(lambda: writer.get_publication_matched_status().current_count)
    payload = bytes(IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2]) if case == "image" else bytes(TWIST_BYTES)
    return paced(rate, seconds, lambda: writer.write(blob(time.time_ns(), payload)))


def plain_subscribe(case: str, seconds: float) -> list[float]:
    from cyclonedds.core import InstanceState, ReadCondition, SampleState, ViewState, WaitSet
    from cyclonedds.domain import DomainParticipant
    from cyclonedds.sub import DataReader
    from cyclonedds.topic import Topic
    from cyclonedds.util import duration

    participant = DomainParticipant(int(os.environ["ROS_DOMAIN_ID"]))
    reader = DataReader(participant, Topic(participant, f"bench_{case}", Blob), plain_qos())
    waitset = WaitSet(participant)
    waitset.attach(ReadCondition(reader, SampleState.Any | ViewState.Any | InstanceState.Any))
    print("ready", flush=True)
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waitset.wait(duration(milliseconds=50))
        for sample in reader.take(N=100):
            if sample.sample_info.valid_data:
                latencies.append((time.time_ns() - sample.stamp_ns) / 1e6)
    return latencies


# ---- anynav's dds backend -------------------------------------------------------------
def anynav_publish(case: str, rate: float, seconds: float) -> int:
    import numpy as np

    from anynav.msgs.image import numpy_to_image
    from anynav.msgs.navigation import twist_message
    from anynav.ros import init, message_class
    from anynav.ros.dds.node import Node

    init(args=[])
    node = Node("bench_publisher")
    if case == "image":
        msg = numpy_to_image(np.zeros(IMAGE_SHAPE, np.uint8), "rgb8", "camera", 0)
        pub = node.create_publisher(message_class("sensor_msgs/msg/Image"), "bench_image", 10)

        def send() -> None:
            now = time.time_ns()
            msg.header.stamp.sec, msg.header.stamp.nanosec = divmod(now, 10**9)
            pub.publish(msg)
    else:
        pub = node.create_publisher(message_class("geometry_msgs/msg/Twist"), "bench_twist", 10)

        def send() -> None:
            pub.publish(twist_message(0.5, 0.0, time.time_ns() / 1e9))

    wait_matched(pub.get_subscription_count)
    return paced(rate, seconds, send)


def anynav_subscribe(case: str, seconds: float) -> list[float]:
    from anynav.ros import SingleThreadedExecutor, init, message_class
    from anynav.ros.dds.node import Node

    init(args=[])
    node = Node("bench_subscriber")
    latencies: list[float] = []
    if case == "image":
        node.create_subscription(
            message_class("sensor_msgs/msg/Image"),
            "bench_image",
            lambda m: latencies.append((time.time_ns() - (m.header.stamp.sec * 10**9 + m.header.stamp.nanosec)) / 1e6),
            10,
        )
    else:
        node.create_subscription(
            message_class("geometry_msgs/msg/Twist"),
            "bench_twist",
            lambda m: latencies.append((time.time_ns() / 1e9 - m.angular.z) * 1e3),
            10,
        )
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    print("ready", flush=True)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        executor.spin_once(0.05)
    return latencies


# ---- shared --------------------------------------------------------------------------
def wait_matched(count, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)


def paced(rate: float, seconds: float, send) -> int:
    """Send at ``rate`` Hz for ``seconds``: sleep most of each period, spin the last 0.5 ms."""
    period = 1.0 / rate
    start = time.perf_counter()
    sent = 0
    while sent < int(rate * seconds):
        target = start + sent * period
        while (remaining := target - time.perf_counter()) > 0:
            if remaining > 0.0005:
                time.sleep(remaining - 0.0005)
        send()
        sent += 1
    return sent


def child(role: str, backend: str, case: str, seconds: float) -> None:
    if role == "sub":
        latencies = (anynav_subscribe if backend == "anynav" else plain_subscribe)(case, seconds)
        print(json.dumps(latencies), flush=True)


def run_case(backend: str, case: str, seconds: float) -> dict:
    env = dict(os.environ)
    sub = subprocess.Popen(
        [sys.executable, __file__, "--child", "sub", backend, case, str(seconds + 3.0)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert sub.stdout.readline().strip() == "ready"
    rate = CASES[case]
    sent = (anynav_publish if backend == "anynav" else plain_publish)(case, rate, seconds)
    latencies = json.loads(sub.communicate(timeout=seconds + 30)[0].strip().splitlines()[-1])
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {
        "backend": backend,
        "case": case,
        "sent": sent,
        "received": len(latencies),
        "drops": sent - len(latencies),
        "rate": len(latencies) / seconds,
        "p50": quantiles[49],
        "p99": quantiles[98],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="publishing time per case")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        role, backend, case, seconds = args.child
        child(role, backend, case, float(seconds))
        return
    from anynav.ros.dds.context import interface_config

    os.environ.setdefault("ROS_DOMAIN_ID", str(random.randint(100, 200)))
    os.environ.setdefault("CYCLONEDDS_URI", interface_config("lo"))  # two processes on loopback only
    rows = [run_case(backend, case, args.seconds) for case in CASES for backend in ("plain", "anynav")]
    print(
        f"transport benchmark, {args.seconds:.0f} s per case, loopback, reliable keep-last 10, "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}"
    )
    print(f"{'case':<28}{'backend':<16}{'p50 ms':>9}{'p99 ms':>9}{'rate Hz':>10}{'drops':>7}{'p50 ratio':>11}")
    for case in CASES:
        base = next(r for r in rows if r["case"] == case and r["backend"] == "plain")
        for r in (x for x in rows if x["case"] == case):
            label = "640x480 rgb8 Image @30 Hz" if case == "image" else "Twist @1 kHz"
            name = "plain cyclonedds" if r["backend"] == "plain" else "anynav dds"
            print(
                f"{label:<28}{name:<16}{r['p50']:>9.3f}{r['p99']:>9.3f}{r['rate']:>10.1f}{r['drops']:>7}"
                f"{r['p50'] / base['p50']:>11.2f}"
            )


if __name__ == "__main__":
    main()
