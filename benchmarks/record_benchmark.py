"""Bag recorder: write cost against a bare rosbags Writer, and what a SIGKILL loses.

Part 1 writes the same serialized messages (Twist, NavSatFix, a 10k-point PointCloud2, a
640x480 rgb8 Image) through anynav's BagRecorder and through a bare rosbags Writer with the same
chunk compression, timing every write() call; the recorder's extra work is the topic lookup, the
split checks and closing chunks by time.

Part 2 starts this script as a recording subprocess (Twist at 200 Hz, with or without a 640x480
Image at 30 Hz), kills it with SIGKILL at a random moment, recovers the bag and measures how much
receive time is missing at the end: the kill loss for each chunk interval. Sparse data closes
chunks by time (the interval bounds the loss); camera data fills 1 MiB chunks within a frame or two.

    python benchmarks/record_benchmark.py [--kills 5]
"""

from __future__ import annotations

import argparse
import itertools
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from rosbags.highlevel import AnyReader
from rosbags.rosbag2 import Writer
from rosbags.rosbag2.enums import CompressionFormat, CompressionMode, StoragePlugin

from anynav.data import BagRecorder, RawSample, RecorderConfig, qos_from_names, record, recover, stop_on_signals
from anynav.msgs.typestore import typestore

DISTRO = "humble"
QOS = qos_from_names("keep_last", 10, "reliable", "volatile")


def payloads() -> dict[str, tuple[str, str, bytes, int]]:
    """name -> (topic, msgtype, CDR bytes, message count)."""
    ts = typestore(DISTRO)
    t = ts.types
    rng = np.random.default_rng(0)
    header = t["std_msgs/msg/Header"](stamp=t["builtin_interfaces/msg/Time"](sec=1, nanosec=0), frame_id="base_link")
    vec = t["geometry_msgs/msg/Vector3"]
    twist = t["geometry_msgs/msg/Twist"](linear=vec(x=0.5, y=0.0, z=0.0), angular=vec(x=0.0, y=0.0, z=0.2))
    fix = t["sensor_msgs/msg/NavSatFix"](
        header=header,
        status=t["sensor_msgs/msg/NavSatStatus"](status=0, service=1),
        latitude=47.37,
        longitude=8.54,
        altitude=408.0,
        position_covariance=np.full(9, 0.3),
        position_covariance_type=2,
    )
    points = rng.normal(0.0, 5.0, (10_000, 4)).astype(np.float32)
    field = t["sensor_msgs/msg/PointField"]
    cloud = t["sensor_msgs/msg/PointCloud2"](
        header=header,
        height=1,
        width=10_000,
        fields=[field(name=n, offset=4 * k, datatype=7, count=1) for k, n in enumerate(("x", "y", "z", "intensity"))],
        is_bigendian=False,
        point_step=16,
        row_step=160_000,
        data=points.view(np.uint8).ravel(),
        is_dense=True,
    )
    gradient = np.add.outer(np.arange(480), np.arange(640)) % 256
    pixels = (gradient[:, :, None] + rng.integers(0, 8, (480, 640, 3))).astype(np.uint8)
    image = t["sensor_msgs/msg/Image"](
        header=header, height=480, width=640, encoding="rgb8", is_bigendian=0, step=1920, data=pixels.ravel()
    )

    def cdr(msg: object, msgtype: str) -> bytes:
        return bytes(ts.serialize_cdr(msg, msgtype))

    return {
        "Twist": ("/cmd_vel", "geometry_msgs/msg/Twist", cdr(twist, "geometry_msgs/msg/Twist"), 20_000),
        "NavSatFix": ("/gps/fix", "sensor_msgs/msg/NavSatFix", cdr(fix, "sensor_msgs/msg/NavSatFix"), 20_000),
        "PointCloud2 10k": ("/cloud", "sensor_msgs/msg/PointCloud2", cdr(cloud, "sensor_msgs/msg/PointCloud2"), 300),
        "Image 640x480": ("/image", "sensor_msgs/msg/Image", cdr(image, "sensor_msgs/msg/Image"), 200),
    }


def time_writes(write, count: int) -> np.ndarray:
    times = np.empty(count)
    for i in range(count):
        start = time.perf_counter_ns()
        write(1_700_000_000_000_000_000 + i * 1_000_000)
        times[i] = time.perf_counter_ns() - start
    return times / 1e3


def bare_writer(path: Path, topic: str, msgtype: str, data: bytes, count: int, compression: str) -> np.ndarray:
    writer = Writer(path, version=8, storage_plugin=StoragePlugin.MCAP)
    if compression == "zstd":
        writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
    with writer:
        conn = writer.add_connection(topic, msgtype, typestore=typestore(DISTRO), offered_qos_profiles=[QOS])
        return time_writes(lambda t: writer.write(conn, t, data), count)


def recorder(path: Path, topic: str, msgtype: str, data: bytes, count: int, compression: str) -> np.ndarray:
    with BagRecorder(RecorderConfig(path, compression=compression, distro=DISTRO)) as rec:
        return time_writes(lambda t: rec.write(topic, msgtype, t, data, (QOS,)), count)


def write_table(workdir: Path) -> None:
    print(f"\nwrite() cost per message, µs ({platform.processor() or platform.machine()}, {time.strftime('%Y-%m-%d')})")
    print(
        f"{'payload':<16} {'bytes':>8} {'comp':<5} {'n':>6} | {'rosbags p50':>11} {'p99':>8} | "
        f"{'anynav p50':>10} {'p99':>8} {'MB/s':>7} | {'p50 ratio':>9}"
    )
    for name, (topic, msgtype, data, count) in payloads().items():
        for compression in ("none", "zstd"):
            base = bare_writer(workdir / f"base-{compression}-{topic[1:]}", topic, msgtype, data, count, compression)
            ours = recorder(workdir / f"ours-{compression}-{topic[1:]}", topic, msgtype, data, count, compression)
            mb_s = len(data) * count / (ours.sum() / 1e6) / 1e6
            print(
                f"{name:<16} {len(data):>8} {compression:<5} {count:>6} | {np.percentile(base, 50):>11.1f} "
                f"{np.percentile(base, 99):>8.1f} | {np.percentile(ours, 50):>10.1f} {np.percentile(ours, 99):>8.1f} "
                f"{mb_s:>7.0f} | {np.percentile(ours, 50) / np.percentile(base, 50):>9.2f}"
            )
            shutil.rmtree(workdir / f"base-{compression}-{topic[1:]}")
            shutil.rmtree(workdir / f"ours-{compression}-{topic[1:]}")


def child(output: str, chunk_interval_s: str, with_image: str) -> None:
    """The recording subprocess of part 2: Twist at 200 Hz (and an Image every 35 ms), stamped with wall time."""
    load = payloads()
    _, twist_type, twist, _ = load["Twist"]
    _, image_type, image, _ = load["Image 640x480"]

    def source():
        i = 0
        while True:
            now = time.time_ns()
            yield RawSample("/cmd_vel", twist_type, (QOS,), now, twist)
            if with_image == "1" and i % 7 == 0:
                yield RawSample("/image", image_type, (QOS,), now + 1, image)
            if i == 0:
                print("recording", flush=True)
            i += 1
            time.sleep(0.005)

    config = RecorderConfig(Path(output), chunk_interval_s=float(chunk_interval_s), max_duration_s=2.0, distro=DISTRO)
    with stop_on_signals(threading.Event()) as stop, BagRecorder(config) as rec:
        record(rec, source(), stop=stop)


def kill_table(workdir: Path, kills: int) -> None:
    print(
        f"\nSIGKILL at a random time 1-4 s into a recording, {kills} kills each; lost = receive time missing at the end"
    )
    print(f"{'recorded':<26} {'chunk interval':>14} | {'lost p50 s':>10} {'lost max s':>10} | {'recover s':>9}")
    rng = random.Random(1)
    for (name, with_image), interval in itertools.product(
        (("Twist 200 Hz", "0"), ("Twist 200 Hz + Image 30 Hz", "1")), (1.0, 0.2)
    ):
        losses, recover_s = [], []
        for k in range(kills):
            bag = workdir / f"kill-{interval}-{k}"
            proc = subprocess.Popen(
                [sys.executable, __file__, "--child", str(bag), str(interval), with_image],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None and proc.stdout.readline().strip() == "recording"
            time.sleep(rng.uniform(1.0, 4.0))
            proc.send_signal(signal.SIGKILL)
            killed_ns = time.time_ns()
            proc.wait()
            start = time.perf_counter()
            recover(bag)
            recover_s.append(time.perf_counter() - start)
            with AnyReader([bag], default_typestore=typestore(DISTRO)) as reader:
                last_ns = max(t for _, t, _ in reader.messages())
            losses.append((killed_ns - last_ns) / 1e9)
            shutil.rmtree(bag)
        print(
            f"{name:<26} {interval:>12.1f} s | {np.percentile(losses, 50):>10.3f} {max(losses):>10.3f} | "
            f"{np.percentile(recover_s, 50):>9.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs per chunk interval")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        write_table(Path(tmp))
        kill_table(Path(tmp), args.kills)


if __name__ == "__main__":
    main()
