"""`anynav sim [scenario]`: run a scenario's GPS mission on the sim graph, record it, show progress, score it.

The graph is a params file (config/sim.yaml by default) started by the embedded launcher,
one process per node on the dds backend. This command fills the scenario into a copy of
the params file, records every topic into a rosbag2 MCAP bag, prints one progress line a
second from /sim/status, stops the graph when the sim says the mission is over, and ends
with a summary and a trajectory picture. Everything lands in one output directory.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from anynav.data.cli import runtime_samples
from anynav.data.recorder import BagRecorder, RecorderConfig
from anynav.data.session import record
from anynav.data.status import human_bytes
from anynav.language.instruct_cli import Progress
from anynav.mission import GeoPoint, Mission, Waypoint, save_mission
from anynav.msgs.errors import MalformedMessageError
from anynav.ros.dds.context import default_context
from anynav.ros.dds.executor import SingleThreadedExecutor
from anynav.ros.dds.node import Node, Publisher
from anynav.ros.errors import RosError
from anynav.ros.launcher import Launcher, LaunchPlan, find_params_file, plan_launch
from anynav.ros.messages import message_class, new_message
from anynav.ros.qos import QOS_LATCHED, DurabilityPolicy, QoSProfile
from anynav.sim.errors import SimError

# anynav.sim.picture imports MuJoCo, which picks its headless GL backend on import and puts
# the choice in MUJOCO_GL: the nodes this command starts inherit it instead of probing again.
from anynav.sim.picture import write_trajectory_png
from anynav.sim.scenario import Scenario, find_scenario, load_scenario
from anynav.sim.status import MissionStatus

__all__ = ["add_arguments", "run"]

DEFAULT_SCENARIO = "open_field"
DEFAULT_GRAPH = "sim"
LANGUAGE_GRAPH = "sim_language"
STATUS_TOPIC = "/sim/status"
INSTRUCTION_TOPIC = "/instruction"
INSTRUCTION_SETTLE_S = 2.0  # wall time the run goes on after the executor ends the instruction
#: Wall time allowed on top of the mission's own timeout for start-up and shutdown, seconds.
STARTUP_MARGIN_S = 60.0
#: After the graph is stopped, how long the recorder may still take what is in flight, seconds.
RECORD_TAIL_S = 0.3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "words",
        nargs="*",
        metavar="SCENARIO|node.param:=value",
        help=f"scenario name (config/scenarios/NAME.yaml) or YAML path (default: {DEFAULT_SCENARIO}), "
        "then parameter overrides for the graph, e.g. sim.real_time_factor:=4.0",
    )
    parser.add_argument(
        "--graph",
        metavar="PARAMS",
        help="params file of the graph, a name in config/ or a path (default: sim; sim_language with --instruction)",
    )
    parser.add_argument(
        "--headless", action="store_true", help="run without a viewer; this is the default and only mode"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="wall-clock limit in seconds (default: the mission's timeout over the real-time factor, "
        f"plus {STARTUP_MARGIN_S:g} s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output directory for the bag, params, logs, summary and picture (default: sim_<scenario>_<date-time>)",
    )
    parser.add_argument("--no-record", action="store_true", help="do not record a bag")
    parser.add_argument(
        "--policy", metavar="NAME", help="navigation policy of the graph's policy node: policy.policy:=NAME"
    )
    parser.add_argument(
        "--instruction",
        metavar="TEXT",
        help=f"language instruction, published latched on {INSTRUCTION_TOPIC} once the graph is up "
        f"(selects config/{LANGUAGE_GRAPH}.yaml unless --graph is given)",
    )
    parser.add_argument("--vla", metavar="URL", help="VLA server of the graph's vla node: vla.server:=URL")
    parser.add_argument(
        "--network-interface",
        default="lo",
        metavar="NIC",
        help="interface the simulated graph's DDS uses (default lo: nothing leaves this machine; "
        "give your LAN interface to watch the sim from another ROS 2 machine)",
    )


class UsageError(Exception):
    """The command line asks for something this graph or scenario cannot do (exit code 2)."""


def run(args: argparse.Namespace) -> int:
    # The sim, its graph and the recorder are all on this machine: keep DDS on one interface.
    os.environ["ANYNAV_NETWORK_INTERFACE"] = args.network_interface
    try:
        job = _prepare(args)
    except (UsageError, SimError, RosError, yaml.YAMLError, OSError) as exc:
        print(f"anynav sim: {exc}", file=sys.stderr)
        return 2
    return _execute(job)


# --- preparation: everything checked before a process starts --------------------------------


@dataclass
class _Job:
    scenario: Scenario
    graph: Path
    out: Path
    plan: LaunchPlan
    wall_limit_s: float
    record: bool
    instruction: str | None


def _prepare(args: argparse.Namespace) -> _Job:
    names = [w for w in args.words if ":=" not in w]
    assignments = [w for w in args.words if ":=" in w]
    if len(names) > 1:
        raise UsageError(f"one scenario at a time, got {', '.join(names)} (overrides look like node.param:=value)")
    scenario_arg = names[0] if names else DEFAULT_SCENARIO
    scenario_path = find_scenario(scenario_arg).resolve()
    scenario = load_scenario(scenario_path)
    graph = _graph_file(args.graph, args.instruction is not None)
    document = yaml.safe_load(graph.read_text())
    if not isinstance(document, dict) or "sim" not in document:
        raise UsageError(f"{graph} has no 'sim' node; anynav sim needs a graph with the simulator in it")
    for flag, node, value in (("--policy", "policy", args.policy), ("--vla", "vla", args.vla)):
        if value is not None and node not in document:
            raise UsageError(
                f"{flag} needs a '{node}' node in the graph, and {graph} has none (its nodes: {', '.join(document)})"
            )
    if args.policy is not None:
        assignments.append(f"policy.policy:={args.policy}")
    if args.vla is not None:
        assignments.append(f"vla.server:={args.vla}")
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, got {args.timeout}")
    plan = plan_launch(graph, [], [], assignments)  # the file, its nodes and the overrides, before anything is written
    wall_limit = args.timeout or scenario.mission.timeout_s / _real_time_factor(document, plan) + STARTUP_MARGIN_S
    out = args.out or Path(time.strftime(f"sim_{scenario.name}_%Y_%m_%d-%H_%M_%S"))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"output directory {out} exists and is not empty; choose a new --out")
    params = _write_params(document, scenario, scenario_path, graph, assignments, out)
    launch = LaunchPlan(params, plan.nodes, plan.overrides)
    return _Job(scenario, graph, out, launch, wall_limit, not args.no_record, args.instruction)


def _graph_file(graph: str | None, language: bool) -> Path:
    if graph is not None:
        return find_params_file(graph)
    if not language:
        return find_params_file(DEFAULT_GRAPH)
    try:
        return find_params_file(LANGUAGE_GRAPH)
    except RosError:
        raise UsageError(
            f"--instruction runs the language graph config/{LANGUAGE_GRAPH}.yaml, which does not exist here; "
            "give a graph with a vla node with --graph"
        ) from None


def _write_params(
    document: dict, scenario: Scenario, scenario_path: Path, graph: Path, assignments: list[str], out: Path
) -> Path:
    """A copy of the graph that runs this scenario, written into ``out``.

    Every node's ``scenario`` parameter becomes the scenario's path; every node's
    ``mission_file`` parameter (the GPS mission node's) becomes ``out/mission.yaml``, which
    holds the scenario's waypoints. The command-line overrides are passed to the nodes as
    ``-p`` and noted in the header.
    """
    out.mkdir(parents=True, exist_ok=True)
    for body in document.values():
        params = body.get("ros__parameters") if isinstance(body, dict) else None
        if not isinstance(params, dict):
            continue
        if "scenario" in params:
            params["scenario"] = str(scenario_path)
        if "mission_file" in params:
            params["mission_file"] = str(_write_mission(scenario, out / "mission.yaml"))
    path = out / "params.yaml"
    header = f"# {graph} as `anynav sim` ran it, scenario {scenario_path}\n"
    if assignments:
        header += f"# command-line overrides: {' '.join(assignments)}\n"
    path.write_text(header + yaml.safe_dump(document, sort_keys=False))
    return path


def _write_mission(scenario: Scenario, path: Path) -> Path:
    """The scenario's GPS waypoints as a mission file (datum = the scenario's), for the mission node."""
    waypoints = tuple(Waypoint(w.latitude, w.longitude) for w in scenario.mission.waypoints)
    save_mission(Mission(waypoints, GeoPoint(scenario.datum.latitude, scenario.datum.longitude)), path)
    return path.resolve()


def _real_time_factor(document: dict, plan: LaunchPlan) -> float:
    """The sim node's real_time_factor after the command-line overrides (1.0 when unset)."""
    value: Any = (document["sim"].get("ros__parameters") or {}).get("real_time_factor", 1.0)
    for assignment in plan.overrides.get("sim", []):
        key, _, text = assignment.partition(":=")
        if key == "real_time_factor":
            value = yaml.safe_load(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise UsageError(f"sim.real_time_factor must be a positive number, got {value!r}")
    return float(value)


# --- the run --------------------------------------------------------------------------------


@dataclass
class _Watch:
    """What the command has seen of the run: the statuses (true trajectory) and the latest one."""

    trajectory: list[tuple[float, float, float]] = field(default_factory=list)
    latest: MissionStatus | None = None
    bad: int = 0
    instruction: Progress | None = None  # the executor's outcome of --instruction, from /diagnostics


def _execute(job: _Job) -> int:
    default_context.init([])
    start = job.scenario.robot
    watch = _Watch(trajectory=[(start.x, start.y, math.radians(start.yaw_deg))])
    if job.instruction is not None:
        watch.instruction = Progress(job.instruction)
    status_node, executor, instruction_pub = _status_node(watch, job.instruction is not None)
    recording = _Recording.start(job.out / "bag") if job.record else None
    log = (job.out / "graph.log").open("w")
    launcher = Launcher(job.plan, out=log)
    interrupted = threading.Event()
    previous = {s: signal.signal(s, lambda *_: interrupted.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    print(
        f"anynav sim: scenario {job.scenario.name} ({job.scenario.robot.name}) on {job.graph}, "
        f"output {job.out}, wall-clock limit {job.wall_limit_s:.0f} s",
        flush=True,
    )
    try:
        launcher.start()
        ending = _watch_run(job, launcher, executor, watch, instruction_pub, interrupted)
    finally:
        launcher.stop()
        time.sleep(RECORD_TAIL_S)
        default_context.shutdown()
        bag_line = recording.finish() if recording else "not recorded (--no-record)"
        log.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        status_node.destroy_node()
    return _report(job, watch, ending, bag_line, launcher)


def _status_node(watch: _Watch, with_instruction: bool) -> tuple[Node, SingleThreadedExecutor, Publisher | None]:
    """A node of this process that follows /sim/status (and can publish the instruction)."""

    def on_status(msg: Any) -> None:
        try:
            status = MissionStatus.from_json(msg.data)
        except (SimError, MalformedMessageError):
            watch.bad += 1
            return
        if watch.latest is None or status.time_s > watch.latest.time_s:
            watch.trajectory.append((status.pose.x, status.pose.y, status.pose.yaw))
        watch.latest = status

    node = Node("_anynav_sim")
    string = message_class("std_msgs/msg/String")
    node.create_subscription(
        string, STATUS_TOPIC, on_status, QoSProfile(depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL)
    )
    instruction_pub = node.create_publisher(string, INSTRUCTION_TOPIC, QOS_LATCHED) if with_instruction else None
    if watch.instruction is not None:
        node.create_subscription(
            message_class("diagnostic_msgs/msg/DiagnosticArray"), "/diagnostics", watch.instruction.on_diagnostics, 10
        )
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    return node, executor, instruction_pub


def _watch_run(
    job: _Job,
    launcher: Launcher,
    executor: SingleThreadedExecutor,
    watch: _Watch,
    instruction_pub: Publisher | None,
    interrupted: threading.Event,
) -> str:
    """Spin until the mission ends, a node dies, the wall clock runs out or the user stops; say which."""
    graph_exit: list[int] = []
    waiter = threading.Thread(target=lambda: graph_exit.append(launcher.wait()), daemon=True)
    waiter.start()
    deadline = time.monotonic() + job.wall_limit_s
    next_line = time.monotonic() + 1.0
    settle_until = 0.0
    while True:
        executor.spin_once(0.1)
        if instruction_pub is not None and instruction_pub.get_subscription_count() > 0:
            instruction_pub.publish(new_message("std_msgs/msg/String", data=job.instruction))
            instruction_pub = None  # once: the graph is up, and the message stays latched for late joiners
            print(f"instruction sent on {INSTRUCTION_TOPIC}: {job.instruction!r}", flush=True)
        now = time.monotonic()
        if now >= next_line:
            next_line = now + 1.0
            print(watch.latest.progress() if watch.latest else "waiting for the sim ...", flush=True)
        if watch.latest is not None and watch.latest.done:
            return "done"
        if watch.instruction is not None and watch.instruction.outcome:
            # Run on briefly so the status, the bag and the picture show where the robot came to rest.
            settle_until = settle_until or now + INSTRUCTION_SETTLE_S
            if now >= settle_until:
                return f"instruction {watch.instruction.outcome}"
        if graph_exit:
            return "died"
        if interrupted.is_set():
            return "interrupted"
        if now >= deadline:
            return "wall-clock limit"


def _report(job: _Job, watch: _Watch, ending: str, bag_line: str, launcher: Launcher) -> int:
    out = job.out
    status = watch.latest
    if ending == "died":
        print("anynav sim: a node of the graph died:", file=sys.stderr)
        for node, tail in launcher.tails.items():
            for line in tail:
                print(f"  [{node}] {line}", file=sys.stderr)
    elif ending != "done" and not ending.startswith("instruction"):
        print(f"anynav sim: stopped before the mission ended ({ending})", file=sys.stderr)
    if watch.bad:
        print(f"ignored {watch.bad} /sim/status messages that were not the sim's JSON", file=sys.stderr)
    if status is None:
        print(f"no /sim/status was received; see {out / 'graph.log'}", file=sys.stderr)
        print(f"bag: {bag_line}")
        return 1
    (out / "status.json").write_text(status.to_json() + "\n")
    summary = status.summary()
    print(summary.format())
    print(f"  end state          {status.state}" + ("" if status.done else f" (run stopped: {ending})"))
    title = f"{job.scenario.name} ({job.scenario.robot.name}): {status.state}"
    picture = write_trajectory_png(
        out / "trajectory.png", job.scenario, np.asarray(watch.trajectory), summary.collisions, title=title
    )
    print(f"trajectory: {picture}")
    print(f"bag: {bag_line}")
    print(f"logs: {out / 'graph.log'}")
    if watch.instruction is not None:
        outcome = watch.instruction.outcome or "unfinished"
        print(f"instruction {job.instruction!r}: {outcome} {watch.instruction.reason}".rstrip())
        return 0 if outcome == "done" and not summary.collisions else 1
    return 0 if status.state == "succeeded" else 1


# --- recording ------------------------------------------------------------------------------


class _Recording:
    """Every topic of the domain into a rosbag2 MCAP bag, on a thread of this process."""

    def __init__(
        self, recorder: BagRecorder, thread: threading.Thread, stop: threading.Event, errors: list[BaseException]
    ) -> None:
        self._recorder = recorder
        self._thread = thread
        self._stop = stop
        self._errors = errors

    @classmethod
    def start(cls, bag_dir: Path) -> _Recording:
        recorder = BagRecorder(RecorderConfig(output=bag_dir))
        recorder.open()
        stop = threading.Event()
        errors: list[BaseException] = []

        def pump() -> None:
            try:
                record(recorder, runtime_samples(None, None), stop=stop)
            except Exception as exc:  # noqa: BLE001 - reported when the run ends
                errors.append(exc)

        thread = threading.Thread(target=pump, name="anynav-sim-record", daemon=True)
        thread.start()
        return cls(recorder, thread, stop, errors)

    def finish(self) -> str:
        """Stop (the DDS context is already shut down, which ends the source), close the bag, describe it."""
        self._thread.join(timeout=10.0)
        self._stop.set()
        self._thread.join(timeout=5.0)
        final = self._recorder.close()
        problem = f"; recording failed: {self._errors[0]}" if self._errors else ""
        return (
            f"{self._recorder.bag_dir} ({final.messages} messages on {len(final.topics)} topics, "
            f"{human_bytes(final.bag_bytes)}){problem}"
        )
