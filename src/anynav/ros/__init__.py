"""One node API, two backends: rclpy when ROS 2 is sourced, Cyclone DDS speaking ROS 2 otherwise.

Node code imports everything it needs from here and uses it exactly as rclpy's API.
"""

from __future__ import annotations

from anynav.ros.backend import backend_name
from anynav.ros.messages import message_class, new_message
from anynav.ros.runner import run_node

if backend_name() == "rclpy":
    from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor
    from rclpy import init, ok, shutdown, spin, spin_once
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.node import Node
    from rclpy.qos import (
        DurabilityPolicy,
        HistoryPolicy,
        QoSProfile,
        ReliabilityPolicy,
        qos_profile_sensor_data,
        qos_profile_system_default,
    )

    QOS_LATCHED = QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)
else:
    from anynav.ros.dds.api import (
        Node,
        SingleThreadedExecutor,
        init,
        ok,
        shutdown,
        spin,
        spin_once,
    )
    from anynav.ros.params import FloatingPointRange, IntegerRange, ParameterDescriptor
    from anynav.ros.qos import (
        QOS_LATCHED,
        DurabilityPolicy,
        HistoryPolicy,
        QoSProfile,
        ReliabilityPolicy,
        qos_profile_sensor_data,
        qos_profile_system_default,
    )

__all__ = [
    "QOS_LATCHED",
    "DurabilityPolicy",
    "FloatingPointRange",
    "HistoryPolicy",
    "IntegerRange",
    "Node",
    "ParameterDescriptor",
    "QoSProfile",
    "ReliabilityPolicy",
    "SingleThreadedExecutor",
    "backend_name",
    "init",
    "message_class",
    "new_message",
    "ok",
    "qos_profile_sensor_data",
    "qos_profile_system_default",
    "run_node",
    "shutdown",
    "spin",
    "spin_once",
]
