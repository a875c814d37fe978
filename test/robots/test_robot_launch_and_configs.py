"""Robot params files and launch files: every key is one its node declares; ros2 launch and anynav launch agree.

launch_ros cannot be installed here, so the launch files run against small recorders in
place of launch/launch_ros: what they would hand to launch_ros is checked, not launch_ros.
"""

from __future__ import annotations

import ast
import functools
import runpy
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bridge_helpers import ros_args

from anynav.control.follower_node import FollowerNode
from anynav.control.mux_node import MuxNode
from anynav.locomotion.node import LocomotionNode
from anynav.mission.node import MissionNode
from anynav.nodes import NODES
from anynav.perception.heightmap_node import HeightMapNode
from anynav.policy.node import PolicyNode
from anynav.robots.bridges.go1 import Go1Bridge
from anynav.robots.bridges.go2 import Go2Bridge
from anynav.robots.bridges.h1 import H1Bridge
from anynav.robots.bridges.t1 import T1Bridge
from anynav.robots.emulators.unitree_node import UnitreeEmulatorNode
from anynav.ros.dds.context import Context
from anynav.ros.launcher import find_params_file, node_command, plan_launch
from anynav.ros.params import load_params_file

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = ROOT / "launch"
ROBOTS = ("go1", "go2", "h1", "t1")
GRAPHS = (*ROBOTS, "go2_emulated")
#: how to build each node a robot params file may start, in this process
NODE_CLASSES: dict[str, Callable[..., Any]] = {
    "bridge_go1": Go1Bridge,
    "bridge_go2": Go2Bridge,
    "bridge_h1": H1Bridge,
    "bridge_t1": T1Bridge,
    "mux": MuxNode,
    "follower": FollowerNode,
    "mission": MissionNode,
    "policy": PolicyNode,
    "heightmap": HeightMapNode,
    "locomotion": LocomotionNode,
    "go2_emulator": functools.partial(UnitreeEmulatorNode, "go2"),
}


class Recorded:
    """Stands in for a launch/launch_ros class: keeps what it was constructed with."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


def _module(name: str, **attributes: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    return module


@pytest.fixture
def launch_stubs(monkeypatch: pytest.MonkeyPatch) -> dict[str, type]:
    classes = {
        name: type(name, (Recorded,), {})
        for name in (
            "LaunchDescription",
            "DeclareLaunchArgument",
            "OpaqueFunction",
            "IncludeLaunchDescription",
            "PythonLaunchDescriptionSource",
            "Node",
        )
    }
    stubs = {
        "launch": _module("launch", LaunchDescription=classes["LaunchDescription"]),
        "launch.actions": _module(
            "launch.actions",
            **{k: classes[k] for k in ("DeclareLaunchArgument", "OpaqueFunction", "IncludeLaunchDescription")},
        ),
        "launch.launch_description_sources": _module(
            "launch.launch_description_sources",
            PythonLaunchDescriptionSource=classes["PythonLaunchDescriptionSource"],
        ),
        "launch_ros": _module("launch_ros"),
        "launch_ros.actions": _module("launch_ros.actions", Node=classes["Node"]),
        "ament_index_python": _module("ament_index_python"),
        "ament_index_python.packages": _module(
            "ament_index_python.packages", get_package_share_directory=lambda package: str(ROOT)
        ),
    }
    for name, module in stubs.items():
        monkeypatch.setitem(sys.modules, name, module)
    return classes


def _run_shared_launch(overrides: dict[str, str]) -> tuple[list[Recorded], list[Recorded]]:
    """The declared arguments, and the Nodes the shared launch file starts with ``overrides``."""
    description = runpy.run_path(str(LAUNCH / "anynav.launch.py"))["generate_launch_description"]()
    actions = description.args[0]
    arguments = [a for a in actions if type(a).__name__ == "DeclareLaunchArgument"]
    (opaque,) = [a for a in actions if type(a).__name__ == "OpaqueFunction"]
    configurations = {a.args[0]: a.kwargs["default_value"] for a in arguments} | overrides
    nodes = opaque.kwargs["function"](types.SimpleNamespace(launch_configurations=configurations))
    return arguments, nodes


def test_launch_files_are_valid_python() -> None:
    files = sorted(LAUNCH.glob("*.launch.py"))
    assert {f.name for f in files} == {"anynav.launch.py", *(f"{robot}.launch.py" for robot in ROBOTS)}
    for path in files:
        ast.parse(path.read_text(), filename=str(path))


def test_shared_launch_declares_the_usual_arguments(launch_stubs: dict[str, type]) -> None:
    arguments, _ = _run_shared_launch({})
    declared = {a.args[0]: a.kwargs for a in arguments}
    assert set(declared) == {"robot", "params_file", "use_sim_time", "namespace", "log_level"}
    assert declared["robot"]["choices"] == ["go1", "go2", "h1", "t1", "sim", "example"]


@pytest.mark.parametrize("robot", ROBOTS)
def test_ros2_launch_starts_what_anynav_launch_starts(launch_stubs: dict[str, type], robot: str) -> None:
    params_file = find_params_file(robot)
    _, nodes = _run_shared_launch({"robot": robot, "log_level": "debug"})
    plan = plan_launch(params_file, [], [], [])
    assert [n.kwargs["name"] for n in nodes] == plan.nodes
    for node in nodes:
        name = node.kwargs["name"]
        assert node.kwargs["package"] == "anynav" and node.kwargs["executable"] == f"{name}_node"
        assert name in NODES and node_command(plan, name)[4] == name  # `python -m anynav.nodes <name>`
        assert node.kwargs["parameters"] == [str(ROOT / "config" / f"{robot}.yaml")]
        assert node.kwargs["ros_arguments"] == ["--log-level", "debug"]


def test_ros2_launch_takes_a_params_file_and_sim_time(launch_stubs: dict[str, type]) -> None:
    path = str(ROOT / "config" / "go2_emulated.yaml")
    _, nodes = _run_shared_launch({"params_file": path, "use_sim_time": "true", "namespace": "dog"})
    assert [n.kwargs["name"] for n in nodes] == plan_launch(Path(path), [], [], []).nodes
    assert all(n.kwargs["parameters"] == [path, {"use_sim_time": True}] for n in nodes)
    assert all(n.kwargs["namespace"] == "dog" for n in nodes)


@pytest.mark.parametrize("robot", ROBOTS)
def test_robot_launch_file_includes_the_shared_one(launch_stubs: dict[str, type], robot: str) -> None:
    description = runpy.run_path(str(LAUNCH / f"{robot}.launch.py"))["generate_launch_description"]()
    (include,) = description.args[0]
    source = include.args[0]
    assert Path(source.args[0]) == LAUNCH / "anynav.launch.py"
    assert dict(include.kwargs["launch_arguments"]) == {"robot": robot}


@pytest.mark.parametrize("graph", GRAPHS)
def test_every_params_file_key_is_declared_by_its_node(graph: str, context: Context) -> None:
    """Each node of the file starts with it: an unknown key or an out-of-range value raises here."""
    params_file = find_params_file(graph)
    nodes = plan_launch(params_file, [], [], []).nodes
    assert set(nodes) <= set(NODE_CLASSES), "add the new node to NODE_CLASSES"
    for name in nodes:
        # the file's NIC and UDP port are for the robot; bind to none and any free port here
        extra = {"network_interface": "''"} | ({"local_port": 0} if name == "bridge_go1" else {})
        args = ["--ros-args", "--params-file", str(params_file), *ros_args(**extra)[1:]]
        node = NODE_CLASSES[name](context=context, cli_args=args)
        try:
            assert node.get_name() == name
            node.check_parameters()
        finally:
            node.destroy_node()


def test_robot_files_bind_dds_to_the_robot_lan() -> None:
    for graph, interface in (("go2", "eth0"), ("h1", "eth0"), ("t1", "eth0"), ("go2_emulated", "lo")):
        assert load_params_file(find_params_file(graph))["/**"]["network_interface"].value == interface


@pytest.mark.parametrize("robot", ROBOTS)
def test_the_bridge_listens_where_the_graph_sends_velocity(robot: str) -> None:
    """mux -> (locomotion, velocity mode) -> bridge: each hop's output topic and Twist type is the next one's input."""
    sections = {
        name.lstrip("/"): {k: v.value for k, v in params.items()}
        for name, params in load_params_file(find_params_file(robot)).items()
    }
    bridge = sections[f"bridge_{robot}"]
    upstream_topic, upstream_stamped = "/cmd_vel", sections["mux"].get("output_stamped", False)
    locomotion = sections.get("locomotion")
    if locomotion is not None:
        assert locomotion["mode"] == "velocity" and locomotion["cmd_vel_stamped"] == upstream_stamped
        upstream_topic = locomotion["output_topic"]
    assert (bridge["cmd_vel_topic"], bridge["cmd_vel_stamped"]) == (upstream_topic, upstream_stamped)
