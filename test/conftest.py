"""Shared fixtures. Every test session gets its own DDS domain so parallel runs never cross-talk."""

from __future__ import annotations

import os
import random

os.environ["ROS_DOMAIN_ID"] = str(random.Random(os.getpid()).randint(1, 200))
os.environ.setdefault("MUJOCO_GL", "egl")
