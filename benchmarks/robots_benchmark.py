"""Cost of the Unitree low-level path per frame: CRC, LowCmd build, pack + sign, LowState decode.

Prints p50/p99 in µs and the ratio to a plain bitwise CRC loop (the reference's
description, measured in the same run). Run: python benchmarks/robots_benchmark.py
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable

import numpy as np

from anynav.robots.crc import struct_crc
from anynav.robots.emulators.unitree import UnitreeEmulator, UnitreeEmulatorConfig
from anynav.robots.unitree.lowcmd import GO_LOW_CMD, go_low_cmd, sign_low_cmd
from anynav.robots.unitree.state import decode_go_low_state
from anynav.ros.messages import new_message


def bitwise_crc(packed: bytes) -> int:
    crc = 0xFFFFFFFF
    for (word,) in struct.iter_unpack("<I", packed[: 4 * (len(packed) // 4 - 1)]):
        for bit in range(31, -1, -1):
            top = crc >> 31
            crc = (crc << 1) & 0xFFFFFFFF
            if top ^ ((word >> bit) & 1):
                crc ^= 0x04C11DB7
    return crc


def measure(function: Callable[[], object], repeats: int) -> np.ndarray:
    times = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter_ns()
        function()
        times[i] = time.perf_counter_ns() - start
    return times / 1000.0


def main() -> None:
    frame = np.random.default_rng(0).integers(0, 256, 812, dtype=np.uint8).tobytes()
    fields = go_low_cmd(np.zeros(12), kp=40.0, kd=1.0)
    message = new_message(GO_LOW_CMD, **fields)
    robot = UnitreeEmulator(UnitreeEmulatorConfig())
    state = new_message("unitree_go/msg/LowState", **robot.low_state(1))
    assert bitwise_crc(frame) == struct_crc(frame)
    cases = [
        ("CRC bitwise loop (baseline), 812 B", lambda: bitwise_crc(frame), 50),
        ("CRC anynav (zlib engine), 812 B", lambda: struct_crc(frame), 5000),
        (
            "go_low_cmd: build + sign, 12 motors",
            lambda: go_low_cmd(np.zeros(12), kp=40.0, kd=1.0),
            2000,
        ),
        (
            "sign_low_cmd: pack message + CRC",
            lambda: sign_low_cmd(GO_LOW_CMD, message),
            2000,
        ),
        (
            "new_message(LowCmd) from fields",
            lambda: new_message(GO_LOW_CMD, **fields),
            2000,
        ),
        (
            "decode_go_low_state (+ CRC check)",
            lambda: decode_go_low_state(state, motors=12),
            2000,
        ),
    ]
    baseline = None
    print(f"{'case':40s} {'p50 µs':>10s} {'p99 µs':>10s} {'× baseline':>11s}")
    for name, function, repeats in cases:
        times = measure(function, repeats)
        p50, p99 = np.percentile(times, [50, 99])
        baseline = baseline or p50
        print(f"{name:40s} {p50:10.1f} {p99:10.1f} {p50 / baseline:11.4f}")


if __name__ == "__main__":
    main()
