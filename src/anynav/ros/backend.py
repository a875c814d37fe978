"""Which backend this process runs on: rclpy when it is importable, else the dds backend."""

from __future__ import annotations

import functools
import importlib.util
import os

from anynav.ros.errors import BackendError

BACKENDS = ("rclpy", "dds")


@functools.cache
def backend_name() -> str:
    """ANYNAV_BACKEND=rclpy|dds forces one; otherwise rclpy if a sourced ROS 2 provides it."""
    forced = os.environ.get("ANYNAV_BACKEND", "").strip()
    if forced:
        if forced not in BACKENDS:
            raise BackendError(f"ANYNAV_BACKEND={forced!r}: choose one of {', '.join(BACKENDS)}")
        if forced == "rclpy" and importlib.util.find_spec("rclpy") is None:
            raise BackendError("ANYNAV_BACKEND=rclpy but rclpy is not importable: source your ROS 2 setup.bash")
        return forced
    return "rclpy" if importlib.util.find_spec("rclpy") is not None else "dds"
