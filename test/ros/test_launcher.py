"""`anynav launch`: one process per node, prefixed output, overrides, SIGINT, dead nodes reported."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from anynav.ros.errors import RosError
from anynav.ros.launcher import find_params_file, plan_launch

EXAMPLE = find_params_file("example")


def launch(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "anynav.cli.main", "launch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(proc: subprocess.Popen, needle: str, timeout: float = 20.0) -> list[str]:
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} not seen in:\n{''.join(lines)}")


def test_example_graph_runs_and_stops_cleanly_on_sigint():
    proc = launch("example", "talker.rate_hz:=20.0")
    try:
        read_until(proc, "[listener] [INFO]")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    assert "[launch] stopping every node" in out


def test_dead_node_is_named_with_its_reason():
    proc = launch("example", "talker.rate_hz:=-3.0")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "node 'talker' died (exit code 2)" in out and "outside the allowed range" in out


def test_plan_only_exclude_and_overrides():
    plan = plan_launch(EXAMPLE, [], ["listener"], ["rate_hz:=3.0", "use_sim_time:=true"])
    assert plan.nodes == ["talker"]
    assert plan.overrides["talker"] == ["rate_hz:=3.0", "use_sim_time:=true"]
    with pytest.raises(RosError, match="not in"):
        plan_launch(EXAMPLE, ["nope"], [], [])
    with pytest.raises(RosError, match="no launched node has 'nonexistent'"):
        plan_launch(EXAMPLE, [], [], ["nonexistent:=1"])


def test_unknown_node_in_file_is_refused_before_start(tmp_path):
    path = tmp_path / "graph.yaml"
    path.write_text("talker:\n  ros__parameters: {}\nteleport:\n  ros__parameters: {}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "anynav.cli.main", "launch", str(path)], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 2 and "unknown node(s) ['teleport']" in proc.stderr
