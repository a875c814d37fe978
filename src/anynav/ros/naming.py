"""ROS 2 names: validation, namespace and `~` resolution, and mangling to DDS names."""

from __future__ import annotations

import re

from anynav.ros.errors import InvalidNameError

_TOKEN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NODE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def validate_node_name(name: str) -> str:
    if not _NODE_NAME.match(name):
        raise InvalidNameError(f"node name {name!r} must match [A-Za-z_][A-Za-z0-9_]*")
    return name


def normalize_namespace(namespace: str) -> str:
    """'' and '/' mean the root namespace; a relative namespace is made absolute."""
    if namespace in ("", "/"):
        return "/"
    ns = namespace if namespace.startswith("/") else "/" + namespace
    ns = ns.rstrip("/")
    for token in ns.split("/")[1:]:
        if not _TOKEN.match(token):
            raise InvalidNameError(f"namespace {namespace!r}: token {token!r} is not a valid name")
    return ns


def node_fqn(name: str, namespace: str) -> str:
    ns = normalize_namespace(namespace)
    return f"/{name}" if ns == "/" else f"{ns}/{name}"


def resolve_topic(topic: str, node_name: str, namespace: str) -> str:
    """Expand a topic name as rclpy does: absolute stays, `~` is the node's private namespace,
    relative names go under the node's namespace."""
    if not topic:
        raise InvalidNameError("topic name is empty")
    ns = normalize_namespace(namespace)
    if topic.startswith("~"):
        rest = topic[1:].lstrip("/")
        base = node_fqn(node_name, ns)
        full = f"{base}/{rest}" if rest else base
    elif topic.startswith("/"):
        full = topic
    else:
        full = f"/{topic}" if ns == "/" else f"{ns}/{topic}"
    tokens = full.split("/")[1:]
    if full.endswith("/") or not all(_TOKEN.match(t) for t in tokens):
        raise InvalidNameError(f"topic name {topic!r} (resolved to {full!r}) is not a valid ROS 2 name")
    return full


def dds_topic_name(ros_topic: str) -> str:
    """`/cmd_vel` → `rt/cmd_vel` (ROS 2 topic prefix on the wire)."""
    if not ros_topic.startswith("/"):
        raise InvalidNameError(f"topic {ros_topic!r} must be fully qualified before mangling")
    return "rt" + ros_topic


def ros_topic_name(dds_topic: str) -> str | None:
    """`rt/cmd_vel` → `/cmd_vel`; None for DDS topics that are not ROS 2 topics."""
    return dds_topic[2:] if dds_topic.startswith("rt/") else None


def dds_type_name(msgtype: str) -> str:
    """`geometry_msgs/msg/Twist` → `geometry_msgs::msg::dds_::Twist_`."""
    parts = msgtype.split("/")
    if len(parts) != 3 or not all(_TOKEN.match(p) for p in parts):
        raise InvalidNameError(f"message type {msgtype!r} must look like 'pkg/msg/Name'")
    pkg, kind, name = parts
    return f"{pkg}::{kind}::dds_::{name}_"


def ros_type_name(dds_type: str) -> str | None:
    """`geometry_msgs::msg::dds_::Twist_` → `geometry_msgs/msg/Twist`; None if not ROS-mangled."""
    parts = dds_type.split("::")
    if len(parts) != 4 or parts[2] != "dds_" or not parts[3].endswith("_"):
        return None
    return f"{parts[0]}/{parts[1]}/{parts[3][:-1]}"
