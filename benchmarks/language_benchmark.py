"""Language-action latency: reply bytes to first velocity, and frame-history upkeep per 640×480 camera frame.

Targets: reply → first Twist ≤ 20 ms (p99); history upkeep ≤ 2 ms per camera frame (mean, and p99
of the frames that are kept). Baselines measured in the same run: NaVILA-Bench's substring mapping
for replies, and JPEG-encoding every full camera frame for the history.

    python benchmarks/language_benchmark.py [--frames 3000] [--replies 5000]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np

from anynav.language import (
    ActionExecutor,
    FrameHistory,
    NavilaTcpClient,
    NavilaTcpConfig,
    Pose2D,
    encode_frame,
)
from anynav.language.clients import completion_text
from anynav.language.protocol import decode_reply, encode_reply, encode_request
from anynav.language.testing_servers import ScriptedNavilaServer, ScriptedOpenAIServer

REPLIES = [
    "I think I should stop because I have finished the instruction.",
    "The next action is move forward 25 cm.",
    "The next action is move forward 50 cm.",
    "The next action is move forward 75 cm.",
    "The next action is turn left 15 degree.",
    "The next action is turn left 30 degree.",
    "The next action is turn left 45 degree.",
    "The next action is turn right 15 degree.",
    "The next action is turn right 30 degree.",
    "The next action is turn right 45 degree.",
    "**Action:** Move forward 0.5 m",
    "Reasoning: the hallway continues ahead but the door is on the left. Action: turn left 45 degrees.",
    "Move forward seventy-five centimeters, then turn right 30 degrees.",
    "Rotate 45° clockwise",
    "I'm sorry, I can't help with that.",
    "Walk straight ahead for about 1.5 meters",
]


def navila_bench_mapping(text: str) -> tuple[list[float], float]:
    """NaVILA-Bench's get_vel_command rule (substring tests; unknown → blind forward), the baseline."""
    text = text.lower()
    for turn, sign in (("turn left", 1.0), ("turn right", -1.0)):
        if turn in text:
            seconds = 1.5 if "45" in text else 1.0 if "30" in text else 0.5
            return [0.0, 0.0, sign * math.pi / 6.0], seconds
    if "move" in text:
        return [0.5, 0.0, 0.0], 1.5 if "75" in text else 1.0 if "50" in text else 0.5
    if "stop" in text:
        return [0.0, 0.0, 0.0], 0.0
    return [0.5, 0.0, 0.0], 0.5


def stats_ms(samples_ns: list[int]) -> tuple[float, float, float]:
    ordered = sorted(samples_ns)
    p50 = ordered[len(ordered) // 2] / 1e6
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e6
    return p50, p99, statistics.fmean(ordered) / 1e6


def time_each(count: int, run: Callable[[int], object]) -> list[int]:
    samples = []
    for i in range(count):
        began = time.perf_counter_ns()
        run(i)
        samples.append(time.perf_counter_ns() - began)
    return samples


def reply_rows(count: int) -> list[tuple[str, list[int]]]:
    navila_payloads = [encode_reply(text)[8:] for text in REPLIES]
    openai_server = ScriptedOpenAIServer(["unused"])
    openai_bodies = [openai_server.completion(text) for text in REPLIES]
    openai_server.close()
    executors = []
    for _ in range(count):
        executor = ActionExecutor()
        executor.start(0.0, "walk to the kitchen")
        executor.tick(0.01, Pose2D(0.0, 0.0, 0.0))
        executors.append(executor)

    def ours(decode: Callable[[bytes], str], payloads: list[bytes]) -> Callable[[int], object]:
        def run(i: int) -> object:
            executor = executors[i]
            request = executor.pending_request
            assert request is not None
            return executor.on_reply(0.02, request.request_id, decode(payloads[i % len(payloads)])).velocity

        return run

    rows = [
        (
            "baseline: NaVILA-Bench substring map (json decode + map)",
            time_each(count, lambda i: navila_bench_mapping(json.loads(navila_payloads[i % len(REPLIES)]))),
        )
    ]
    rows.append(("reply → first Twist, NaVILA TCP payload", time_each(count, ours(decode_reply, navila_payloads))))
    for executor in executors:
        executor.start(0.0, "walk to the kitchen")
    rows.append(("reply → first Twist, OpenAI JSON body", time_each(count, ours(completion_text, openai_bodies))))
    return rows


def camera_frame(rng: np.random.Generator) -> np.ndarray:
    """A 640×480 RGB frame with scene-like structure (gradients, edges, mild noise) for realistic JPEG cost."""
    rows, cols = np.indices((480, 640))
    base = np.stack([cols * 255 // 640, rows * 255 // 480, (rows + cols) % 256], axis=-1)
    base[120:300, 200:420] = (200, 60, 40)
    noise = rng.integers(0, 12, size=base.shape)
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def history_rows(count: int) -> tuple[list[tuple[str, list[int]]], int]:
    rng = np.random.default_rng(0)
    frames = [camera_frame(rng) for _ in range(8)]
    compressed = [cv2.imencode(".jpg", cv2.cvtColor(f, cv2.COLOR_RGB2BGR))[1].tobytes() for f in frames]

    def moving_pose(i: int) -> Pose2D:  # 30 Hz camera, 0.5 m/s: a frame kept every 15 camera frames
        return Pose2D(0.5 * i / 30.0, 0.0, 0.0)

    baseline = time_each(count, lambda i: cv2.imencode(".jpg", frames[i % 8])[1])
    history = FrameHistory()
    kept: list[int] = []
    every: list[int] = []
    for i in range(count):
        began = time.perf_counter_ns()
        was_kept = history.offer(i / 30.0, frames[i % 8], pose=moving_pose(i))
        elapsed = time.perf_counter_ns() - began
        every.append(elapsed)
        if was_kept:
            kept.append(elapsed)

    lazy = FrameHistory()
    lazy_every: list[int] = []
    lazy_kept: list[int] = []
    for i in range(count):
        data = compressed[i % 8]

        def decode(data: bytes = data) -> np.ndarray:
            bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
            assert bgr is not None
            return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

        began = time.perf_counter_ns()
        was_kept = lazy.offer(i / 30.0, decode, pose=moving_pose(i))
        elapsed = time.perf_counter_ns() - began
        lazy_every.append(elapsed)
        if was_kept:
            lazy_kept.append(elapsed)

    standing = FrameHistory()
    standing.offer(0.0, frames[0], pose=Pose2D(0.0, 0.0, 0.0))
    still = time_each(count, lambda i: standing.offer(i / 30.0, frames[i % 8], pose=Pose2D(0.0, 0.0, 0.0)))
    single = time_each(200, lambda i: encode_frame(frames[i % 8], 384, 75))
    query = time_each(200, lambda _: encode_request(history.sample(), "walk to the kitchen"))
    rows = [
        ("baseline: JPEG-encode every 640×480 frame", baseline),
        ("history.offer, every camera frame (moving)", every),
        ("history.offer, kept frames only (resize+JPEG)", kept),
        ("history.offer, standing still", still),
        ("history.offer(lazy CompressedImage decode), every", lazy_every),
        ("history.offer(lazy CompressedImage decode), kept", lazy_kept),
        ("encode_frame 640×480 → 384² JPEG", single),
        ("per query: sample 8 + NaVILA request JSON", query),
    ]
    return rows, len(history)


def loopback_rows(count: int) -> list[tuple[str, list[int]]]:
    history = FrameHistory()
    history.offer(0.0, camera_frame(np.random.default_rng(1)))
    images = history.sample()
    with ScriptedNavilaServer(["The next action is move forward 75 cm."]) as server:
        client = NavilaTcpClient(NavilaTcpConfig(host=server.host, port=server.port))
        samples = time_each(count, lambda _: client.query(images, "walk to the kitchen"))
    return [("(scale) NaVILA TCP query round trip on loopback, 8×384² JPEG", samples)]


def print_table(title: str, rows: list[tuple[str, list[int]]], baseline_name: str, targets: dict[str, str]) -> None:
    base_mean = next(stats_ms(s)[2] for name, s in rows if name == baseline_name)
    print(f"\n{title}")
    print(f"{'measurement':60s} {'n':>6s} {'p50 ms':>9s} {'p99 ms':>9s} {'mean ms':>9s} {'÷ base':>7s}  target")
    for name, samples in rows:
        p50, p99, mean = stats_ms(samples)
        ratio = mean / base_mean
        print(f"{name:60s} {len(samples):6d} {p50:9.4f} {p99:9.4f} {mean:9.4f} {ratio:7.2f}  {targets.get(name, '')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=3000, help="camera frames per history measurement")
    parser.add_argument("--replies", type=int, default=5000, help="replies per parse measurement")
    args = parser.parse_args()
    print(
        f"anynav language benchmark — {platform.processor() or platform.machine()}, {platform.python_version()}, "
        f"OpenCV {cv2.__version__}, {time.strftime('%Y-%m-%d')}"
    )
    replies = reply_rows(args.replies)
    print_table(
        "Reply bytes in hand → first velocity command (decode + parse + executor.on_reply)",
        replies,
        "baseline: NaVILA-Bench substring map (json decode + map)",
        {
            "reply → first Twist, NaVILA TCP payload": "p99 ≤ 20 ms",
            "reply → first Twist, OpenAI JSON body": "p99 ≤ 20 ms",
        },
    )
    frames, kept = history_rows(args.frames)
    print_table(
        f"Frame history upkeep per 640×480 camera frame (30 Hz, 0.5 m/s: {kept} of {args.frames} kept)",
        frames,
        "baseline: JPEG-encode every 640×480 frame",
        {
            "history.offer, every camera frame (moving)": "mean ≤ 2 ms",
            "history.offer, kept frames only (resize+JPEG)": "p99 ≤ 2 ms",
            "history.offer(lazy CompressedImage decode), every": "mean ≤ 2 ms",
        },
    )
    loopback = loopback_rows(200)
    print(f"\n{loopback[0][0]}: p50 {stats_ms(loopback[0][1])[0]:.3f} ms, p99 {stats_ms(loopback[0][1])[1]:.3f} ms")


if __name__ == "__main__":
    main()
