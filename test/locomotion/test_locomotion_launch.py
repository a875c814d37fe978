"""The heightmap and locomotion sections of the robot params files; the joint-mode chain launched on the emulator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import yaml
from locomotion_helpers import CONFIG_DIR

from anynav.locomotion.node import LocomotionNode
from anynav.locomotion.spec import load_spec
from anynav.perception.heightmap_node import HeightMapNode
from anynav.ros.dds.context import Context
from anynav.ros.launcher import find_params_file

NODES: dict[str, Callable[..., Any]] = {"heightmap": HeightMapNode, "locomotion": LocomotionNode}
CHAIN = "go2_emulator,heightmap,locomotion,bridge_go2"


@pytest.mark.parametrize("graph", ["go2", "h1", "go2_emulated"])
def test_params_file_sections_are_declared_by_the_nodes(graph: str) -> None:
    """Each key of the heightmap and locomotion sections is one the node declares, in range."""
    params_file = find_params_file(graph)
    sections = yaml.safe_load(params_file.read_text())
    context = Context()
    context.init([])
    try:
        for name, node_class in NODES.items():
            assert name in sections, f"{params_file} has no {name} section"
            args = ["--ros-args", "--params-file", str(params_file), "-p", "network_interface:=''"]
            node = node_class(context=context, cli_args=args)
            try:
                node.check_parameters()
                for key, value in sections[name]["ros__parameters"].items():
                    assert node.get_parameter(key).value == value
            finally:
                node.destroy_node()
    finally:
        context.shutdown()


class Launch:
    """`anynav launch` as a child process, its output collected line by line."""

    def __init__(self, *arguments: str) -> None:
        command = [sys.executable, "-m", "anynav.cli.main", "launch", *arguments]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, "launch ended early:\n" + "\n".join(self.lines)
            assert time.monotonic() < deadline, f"no {text!r} within {timeout_s} s:\n" + "\n".join(self.lines)
            time.sleep(0.1)

    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self, timeout_s: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=timeout_s)
        self._reader.join(timeout=5.0)
        return code


def echo_once(topic: str, msgtype: str) -> dict[str, Any]:
    """One message of `topic` as `anynav topic echo --once` prints it, on loopback like the launched graph."""
    env = dict(os.environ, ANYNAV_NETWORK_INTERFACE="lo")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "anynav.cli.main",
            "topic",
            "echo",
            topic,
            msgtype,
            "--once",
            "--timeout",
            "15",
            "--full-length",
        ],
        capture_output=True,
        text=True,
        timeout=40,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return next(doc for doc in yaml.safe_load_all(result.stdout) if doc)


@pytest.mark.multiprocess
def test_joint_mode_chain_runs_on_the_emulator() -> None:
    """emulator ↔ bridge_go2 (joint mode) ↔ locomotion (random policy), no LiDAR: stale map → blind fallback."""
    launch = Launch("go2_emulated", "bridge_go2.control_mode:=joint", "--only", CHAIN)
    try:
        launch.wait_for("motion switcher released the robot: streaming LowCmd", 30.0)
        command = echo_once("/joint_command", "anynav_msgs/msg/JointCommand")
        spec = load_spec(CONFIG_DIR / "go2_vision.yaml")
        assert command["name"] == [joint.name for joint in spec.joints]
        assert command["mode"] == "blind"  # the emulator has no LiDAR: the height map is stale
        assert command["kp"] == [40.0] * 12
        # The emulator's joints start at 0 and move only under accepted LowCmd PD targets: seeing them
        # moved on /joint_states (emulator LowState → bridge) shows the LowCmd frames reached it.
        states = echo_once("/joint_states", "sensor_msgs/msg/JointState")
        assert np.max(np.abs(states["position"])) > 0.1
        assert "height map stale (no cloud received yet): not publishing /heightmap" in launch.output()
        assert "RANDOM WEIGHTS (seed 1). This is a dry run" in launch.output()
    finally:
        code = launch.stop()
    output = launch.output()
    assert code == 0, output
    assert "rejected" not in output and "died" not in output, output
    assert "[bridge_go2] " in output and "shutting down: sent LowCmd damping" in output
