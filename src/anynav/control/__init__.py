"""Control cores: the waypoint follower and the twist mux (no ROS here; the nodes wrap these)."""

from __future__ import annotations

from anynav.control.errors import ControlConfigError, ControlError, EstopResetError, PathError, UnknownInputError
from anynav.control.follower import Follower, FollowerConfig, FollowerOutput
from anynav.control.mux import EstopState, MuxConfig, MuxInput, MuxOutput, Received, TwistMux, select
from anynav.control.velocity import STOP, Velocity

__all__ = [
    "STOP",
    "ControlConfigError",
    "ControlError",
    "EstopResetError",
    "EstopState",
    "Follower",
    "FollowerConfig",
    "FollowerOutput",
    "MuxConfig",
    "MuxInput",
    "MuxOutput",
    "PathError",
    "Received",
    "TwistMux",
    "UnknownInputError",
    "Velocity",
    "select",
]
