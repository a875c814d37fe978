"""`anynav launch`: every node of a ROS 2 params file as its own process on the dds backend.

The params file is the graph: each top-level node key names a registered node (anynav.nodes),
so `launch/*.launch.py` (launch_ros) and this launcher start the same graph from one file.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from anynav.nodes import NODES
from anynav.paths import config_dirs
from anynav.ros.errors import ParamsFileError, RosError
from anynav.ros.params import RUNTIME_PARAMETERS, load_params_file

STOP_GRACE_S = 5.0
TAIL_LINES = 5


def find_params_file(robot_or_path: str) -> Path:
    """A path as given, or `<robot>.yaml` in the config directories."""
    candidate = Path(robot_or_path)
    if candidate.suffix in (".yaml", ".yml"):
        if not candidate.is_file():
            raise ParamsFileError(f"params file {candidate} does not exist")
        return candidate
    for directory in config_dirs():
        path = directory / f"{robot_or_path}.yaml"
        if path.is_file():
            return path
    available = sorted({p.stem for d in config_dirs() if d.is_dir() for p in d.glob("*.yaml")})
    raise ParamsFileError(f"no params file for {robot_or_path!r}; available: {', '.join(available) or 'none'}")


@dataclass
class LaunchPlan:
    params_file: Path
    nodes: list[str]
    overrides: dict[str, list[str]] = field(default_factory=dict)  # node → ["k:=v", ...]


def plan_launch(params_file: Path, only: list[str], exclude: list[str], assignments: list[str]) -> LaunchPlan:
    """Check the file, the node names and the overrides before anything starts."""
    sections = load_params_file(params_file)
    nodes = [name.lstrip("/") for name in sections if not name.lstrip("/").startswith("**")]
    unknown = [n for n in nodes if n not in NODES]
    if unknown:
        raise ParamsFileError(f"{params_file}: unknown node(s) {unknown}; registered nodes: {sorted(NODES)}")
    for option, names in (("--only", only), ("--exclude", exclude)):
        missing = [n for n in names if n not in nodes]
        if missing:
            raise RosError(f"{option}: node(s) {missing} are not in {params_file} (it has {nodes})")
    selected = [n for n in nodes if (not only or n in only) and n not in exclude]
    if not selected:
        raise RosError(f"nothing to launch from {params_file} after --only/--exclude")
    overrides: dict[str, list[str]] = {n: [] for n in selected}
    for assignment in assignments:
        key, sep, value = assignment.partition(":=")
        if not sep:
            raise RosError(f"override {assignment!r} must look like node.param:=value or param:=value")
        node, dot, param = key.partition(".")
        if dot and node in nodes:
            if node in overrides:
                overrides[node].append(f"{param}:={value}")
            continue
        shared = any(key in values for pattern, values in sections.items() if pattern.lstrip("/").startswith("**"))
        if shared or key in RUNTIME_PARAMETERS:
            targets = selected
        else:
            targets = [n for n in selected if key in sections.get(n, sections.get("/" + n, {}))]
        if not targets:
            raise RosError(
                f"override {assignment!r}: no launched node has {key!r} in {params_file}; use node.{key}:=value"
            )
        for n in targets:
            overrides[n].append(f"{key}:={value}")
    return LaunchPlan(params_file, selected, overrides)


def node_command(plan: LaunchPlan, node: str) -> list[str]:
    command = [
        sys.executable,
        "-u",
        "-m",
        "anynav.nodes",
        node,
        "--ros-args",
        "-r",
        f"__node:={node}",
        "--params-file",
        str(plan.params_file),
    ]
    for assignment in plan.overrides.get(node, []):
        command += ["-p", assignment]
    return command


class Launcher:
    """Runs the plan's processes, prefixes their output, forwards SIGINT/SIGTERM, reports deaths."""

    def __init__(self, plan: LaunchPlan, out=None) -> None:
        self.plan = plan
        self.out = out or sys.stdout
        self.processes: dict[str, subprocess.Popen] = {}
        self.tails: dict[str, deque[str]] = {}
        self._print_lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def _emit(self, line: str) -> None:
        with self._print_lock:
            self.out.write(line if line.endswith("\n") else line + "\n")
            self.out.flush()

    def _pump(self, node: str, stream) -> None:
        for raw in iter(stream.readline, b""):
            text = raw.decode(errors="replace").rstrip("\n")
            self.tails[node].append(text)
            self._emit(f"[{node}] {text}")
        stream.close()

    def start(self) -> None:
        env = dict(os.environ, ANYNAV_BACKEND="dds", PYTHONUNBUFFERED="1")
        for node in self.plan.nodes:
            proc = subprocess.Popen(
                node_command(self.plan, node),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            self.processes[node] = proc
            self.tails[node] = deque(maxlen=TAIL_LINES)
            thread = threading.Thread(target=self._pump, args=(node, proc.stdout), daemon=True)
            thread.start()
            self._threads.append(thread)
            self._emit(f"[launch] started {node} (pid {proc.pid})")

    def stop(self) -> None:
        """SIGINT every node, then SIGTERM and SIGKILL whatever is still running after the grace time."""
        self._stopping.set()
        for sig, grace in ((signal.SIGINT, STOP_GRACE_S), (signal.SIGTERM, 2.0), (signal.SIGKILL, 1.0)):
            alive = [p for p in self.processes.values() if p.poll() is None]
            if not alive:
                break
            for proc in alive:
                proc.send_signal(sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and any(p.poll() is None for p in alive):
                time.sleep(0.05)

    def wait(self) -> int:
        """Block until every node has exited or one died; 0 on a clean stop, 1 naming the dead node."""
        reported: set[str] = set()
        while True:
            for node, proc in self.processes.items():
                code = proc.poll()
                if code is None or node in reported:
                    continue
                reported.add(node)
                if self._stopping.is_set():
                    continue
                for thread in self._threads:
                    thread.join(timeout=0.2)
                if code == 0:
                    self._emit(f"[launch] {node} finished (exit code 0)")
                    continue
                why = f"signal {-code}" if code < 0 else f"exit code {code}"
                last = " | ".join(self.tails[node]) or "no output"
                self._emit(f"[launch] node '{node}' died ({why}): {last}")
                self.stop()
                return 1
            if all(p.poll() is not None for p in self.processes.values()):
                for thread in self._threads:
                    thread.join(timeout=1.0)
                return 0
            time.sleep(0.05)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", help="robot name (config/<robot>.yaml) or a params file path")
    parser.add_argument("assignments", nargs="*", metavar="node.param:=value", help="parameter overrides")
    parser.add_argument("--only", default="", help="comma-separated nodes to start (default: all in the file)")
    parser.add_argument("--exclude", default="", help="comma-separated nodes not to start")
    parser.add_argument("--list", action="store_true", help="print the nodes and commands, start nothing")


def run(args: argparse.Namespace) -> int:
    split = lambda text: [n.strip() for n in text.split(",") if n.strip()]  # noqa: E731
    try:
        plan = plan_launch(find_params_file(args.target), split(args.only), split(args.exclude), args.assignments)
    except (RosError, yaml.YAMLError) as exc:
        print(f"anynav launch: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for node in plan.nodes:
            print(f"{node}: {' '.join(node_command(plan, node))}")
        return 0
    launcher = Launcher(plan)

    def on_signal(_signum: int, _frame: object) -> None:
        launcher._emit("[launch] stopping every node")
        threading.Thread(target=launcher.stop, daemon=True).start()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    launcher.start()
    return launcher.wait()
