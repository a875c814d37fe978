"""`ros2 launch anynav h1.launch.py`: the Unitree H1 graph of config/h1.yaml (anynav.launch.py with robot:=h1).

Every argument of anynav.launch.py passes through, e.g. `params_file:=my_h1.yaml log_level:=debug`.
"""

from __future__ import annotations

import os

from launch import LaunchDescription
from launch.actions import IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource

ROBOT = "h1"


def generate_launch_description() -> LaunchDescription:
    shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "anynav.launch.py")
    return LaunchDescription([
        IncludeLaunchDescription(PythonLaunchDescriptionSource(shared), launch_arguments={"robot": ROBOT}.items()),
    ])
