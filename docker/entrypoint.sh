#!/bin/bash
# Source ROS 2 and the anynav workspace, then run the command (default: a shell).
set -e
# shellcheck disable=SC1090,SC1091
source "${ROS_SETUP:-/opt/ros/${ROS_DISTRO}/setup.bash}"
# shellcheck disable=SC1091
source /ws/install/setup.bash
exec "$@"
