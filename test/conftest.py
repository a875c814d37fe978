"""Shared test set-up: every session gets its own DDS domain on the loopback interface only.

A random ROS_DOMAIN_ID keeps parallel runs from cross-talking; binding Cyclone to `lo` keeps
discovery and data traffic on this machine (subprocesses inherit both).
"""

from __future__ import annotations

import os
import random

from anynav.ros.dds.context import interface_config

os.environ["ROS_DOMAIN_ID"] = str(random.Random(os.getpid()).randint(1, 200))
os.environ["CYCLONEDDS_URI"] = interface_config("lo")
os.environ.pop("ANYNAV_NETWORK_INTERFACE", None)
os.environ.setdefault("MUJOCO_GL", "egl")
