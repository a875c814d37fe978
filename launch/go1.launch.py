"""`ros2 launch anynav go1.launch.py`: the Unitree Go1 graph of config/go1.yaml (anynav.launch.py with robot:=go1).

Every argument of anynav.launch.py passes through, e.g. `params_file:=my_go1.yaml log_level:=debug`.
"""

from __future__ import annotations

import os

from launch import LaunchDescription
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource

ROBOT = "go1"


def generate_launch_description() -> LaunchDescription:
    shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "anynav.launch.py")
    return LaunchDescription([
        IncludeLaunchDescription(PythonLaunchDescriptionSource(shared), launch_arguments={"robot": ROBOT}.items()),
    ])
