"""One launch file for every robot: ``ros2 launch anynav anynav.launch.py robot:=go2``.

The params file is the graph: each top-level key names a registered node, started as
executable ``<key>_node`` with node name ``<key>`` and that file as its parameters. The
node list comes from ``anynav.ros.launcher.plan_launch``, the same reading of the file as
``anynav launch``, so both start the same nodes.
"""

from __future__ import annotations

import os
from pathlib import Path

from ament_index_python.packages import get_package_share_directory
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch_ros.actions import Node

from anynav.ros.launcher import plan_launch

PACKAGE = "anynav"
ROBOTS = ("go1", "go2", "h1", "t1", "sim", "example")
LOG_LEVELS = ("debug", "info", "warn", "error", "fatal")


def graph_nodes(params_file: str) -> list[str]:
    """The nodes ``params_file`` starts, checked against the registered nodes (as `anynav launch` reads it)."""
    return plan_launch(Path(params_file), [], [], []).nodes


def params_file_for(robot: str, params_file: str) -> str:
    """``params_file`` when given, else the package's config/<robot>.yaml."""
    return params_file or os.path.join(get_package_share_directory(PACKAGE), "config", f"{robot}.yaml")


def launch_nodes(context, *_args, **_kwargs) -> list[Node]:
    """One launch_ros Node per node of the params file (run once the arguments are known)."""
    config = context.launch_configurations
    params_file = params_file_for(config["robot"], config["params_file"])
    parameters: list = [params_file]
    if config["use_sim_time"]:
        parameters.append({"use_sim_time": config["use_sim_time"] == "true"})
    return [
        Node(
            package=PACKAGE,
            executable=f"{name}_node",
            name=name,
            namespace=config["namespace"],
            parameters=parameters,
            ros_arguments=["--log-level", config["log_level"]],
            output="screen",
        )
        for name in graph_nodes(params_file)
    ]


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        DeclareLaunchArgument("robot", default_value="go2", choices=list(ROBOTS),
                              description="which config/<robot>.yaml to start"),
        DeclareLaunchArgument("params_file", default_value="",
                              description="a params file to start instead of config/<robot>.yaml"),
        DeclareLaunchArgument("use_sim_time", default_value="", choices=["", "true", "false"],
                              description="set use_sim_time on every node ('' = as the params file says)"),
        DeclareLaunchArgument("namespace", default_value="", description="namespace of every node"),
        DeclareLaunchArgument("log_level", default_value="info", choices=list(LOG_LEVELS),
                              description="log level of every node"),
        OpaqueFunction(function=launch_nodes),
    ])
