"""`ros2 launch anynav go2.launch.py`: the Unitree Go2 graph of config/go2.yaml (anynav.launch.py with robot:=go2).

Every argument of anynav.launch.py passes through, e.g. `params_file:=my_go2.yaml log_level:=debug`.
"""

from __future__ import annotations

import os

from launch import LaunchDescription
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource

ROBOT = "go2"


def generate_launch_description() -> LaunchDescription:
    shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "anynav.launch.py")
    return LaunchDescription([
        IncludeLaunchDescription(PythonLaunchDescriptionSource(shared), launch_arguments={"robot": ROBOT}.items()),
    ])
