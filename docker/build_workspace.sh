#!/bin/bash
# Build the anynav colcon workspace in /ws (run by every Dockerfile): message packages from the
# project's .msg files, ROS dependencies with rosdep, then colcon. ROS_DISTRO must be set.
set -euo pipefail
python3 /ws/src/anynav/docker/msg_packages.py /ws/src/msgs
apt-get update
rosdep update --rosdistro "${ROS_DISTRO}"
rosdep install --from-paths /ws/src --ignore-src -y --rosdistro "${ROS_DISTRO}"
rm -rf /var/lib/apt/lists/*
set +u  # ROS setup scripts read unset variables
# shellcheck disable=SC1090
source "/opt/ros/${ROS_DISTRO}/setup.bash"
set -u
cd /ws
colcon build --event-handlers console_direct-
rm -rf /ws/build /ws/log
