"""The Cyclone types anynav declares encode every message exactly as rosbags (and so ROS 2) does."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from rosbags.typesys.base import Nodetype

from anynav.msgs.typestore import custom_definitions, typestore
from anynav.ros.dds.node import deserialize, serialize
from anynav.ros.dds.types import idl_type
from anynav.ros.messages import NUMPY_DTYPES

STANDARD_TYPES = [
    "builtin_interfaces/msg/Time",
    "diagnostic_msgs/msg/DiagnosticArray",
    "geometry_msgs/msg/PointStamped",
    "geometry_msgs/msg/PoseStamped",
    "geometry_msgs/msg/Twist",
    "geometry_msgs/msg/TwistStamped",
    "nav_msgs/msg/Odometry",
    "nav_msgs/msg/Path",
    "rosgraph_msgs/msg/Clock",
    "sensor_msgs/msg/BatteryState",
    "sensor_msgs/msg/CameraInfo",
    "sensor_msgs/msg/CompressedImage",
    "sensor_msgs/msg/Image",
    "sensor_msgs/msg/Imu",
    "sensor_msgs/msg/JointState",
    "sensor_msgs/msg/NavSatFix",
    "sensor_msgs/msg/PointCloud2",
    "std_msgs/msg/Bool",
    "std_msgs/msg/Float32",
    "std_msgs/msg/Float32MultiArray",
    "std_msgs/msg/String",
    "tf2_msgs/msg/TFMessage",
]
USED_TYPES = STANDARD_TYPES + sorted(custom_definitions())


class Filler:
    """Deterministic, non-zero values for every field, so a layout mistake changes the bytes."""

    def __init__(self) -> None:
        self.counter = itertools.count(1)

    def base(self, typename: str) -> Any:
        n = next(self.counter)
        if typename in ("string", "wstring"):
            return f"v{n}"
        if typename == "bool":
            return bool(n % 2)
        dtype = np.dtype(NUMPY_DTYPES[typename])
        if dtype.kind == "f":
            return dtype.type(n + 0.5)
        return dtype.type(n % (np.iinfo(dtype).max // 2 + 1))

    def message(self, msgtype: str) -> Any:
        values = {name: self.field(desc) for name, desc in typestore().fielddefs[msgtype][1]}
        return typestore().types[msgtype](**values)

    def field(self, desc: tuple) -> Any:
        kind, info = desc
        if kind == Nodetype.BASE:
            value = self.base(info[0])
            return value.item() if isinstance(value, np.generic) else value
        if kind == Nodetype.NAME:
            return self.message(info)
        (subkind, subinfo), size = info
        length = size if kind == Nodetype.ARRAY else min(size or 3, 3)
        items = [self.field((subkind, subinfo)) for _ in range(length)]
        if subkind == Nodetype.BASE and subinfo[0] in NUMPY_DTYPES:
            return np.array(items, dtype=NUMPY_DTYPES[subinfo[0]])
        return items


def to_idl(msg: Any, msgtype: str) -> Any:
    """The same message as an instance of the generated Cyclone type."""
    values = {}
    for name, (kind, info) in typestore().fielddefs[msgtype][1]:
        value = getattr(msg, name)
        if kind == Nodetype.NAME:
            values[name] = to_idl(value, info)
        elif kind in (Nodetype.ARRAY, Nodetype.SEQUENCE):
            (subkind, subinfo), _ = info
            values[name] = (
                [to_idl(v, subinfo) for v in value]
                if subkind == Nodetype.NAME
                else [v.item() if isinstance(v, np.generic) else v for v in value]
            )
        else:
            values[name] = value
    return idl_type(msgtype)(**values)


@pytest.mark.parametrize("msgtype", USED_TYPES)
def test_cyclone_type_encodes_like_rosbags(msgtype):
    msg = Filler().message(msgtype)
    ours = serialize(msg, msgtype)
    cyclone = to_idl(msg, msgtype).serialize()
    reference = bytes(typestore().serialize_cdr(msg, msgtype))
    assert ours[: len(reference)] == reference and len(ours) - len(reference) < 4
    assert cyclone[: len(reference)] == reference and len(cyclone) - len(reference) < 4


@pytest.mark.parametrize("msgtype", USED_TYPES)
def test_round_trip_through_our_codec(msgtype):
    msg = Filler().message(msgtype)
    assert serialize(deserialize(serialize(msg, msgtype), msgtype), msgtype) == serialize(msg, msgtype)


def test_type_names_are_mangled_like_ros2():
    assert idl_type("geometry_msgs/msg/Twist").__idl_typename__ == "geometry_msgs::msg::dds_::Twist_"
    assert idl_type("unitree_go/msg/LowCmd").__idl_typename__ == "unitree_go::msg::dds_::LowCmd_"
