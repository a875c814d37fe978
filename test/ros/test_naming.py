"""ROS 2 name resolution and DDS mangling."""

from __future__ import annotations

import pytest

from anynav.ros.errors import InvalidNameError
from anynav.ros.naming import dds_topic_name, dds_type_name, resolve_topic, ros_topic_name, ros_type_name


@pytest.mark.parametrize(
    "topic,ns,expected",
    [
        ("cmd_vel", "/", "/cmd_vel"),
        ("cmd_vel", "/robot1", "/robot1/cmd_vel"),
        ("/cmd_vel", "/robot1", "/cmd_vel"),
        ("~/status", "/robot1", "/robot1/mux/status"),
        ("~", "", "/mux"),
        ("camera/image_raw", "robot1", "/robot1/camera/image_raw"),
    ],
)
def test_resolution_matches_rclpy(topic, ns, expected):
    assert resolve_topic(topic, "mux", ns) == expected


@pytest.mark.parametrize("bad", ["", "/a//b", "1abc", "/a/", "a b", "/a-b"])
def test_invalid_names_are_refused(bad):
    with pytest.raises(InvalidNameError):
        resolve_topic(bad, "node", "/")


def test_mangling_both_ways():
    assert dds_topic_name("/cmd_vel") == "rt/cmd_vel"
    assert ros_topic_name("rt/api/sport/request") == "/api/sport/request"
    assert ros_topic_name("DCPSPublication") is None
    assert dds_type_name("geometry_msgs/msg/Twist") == "geometry_msgs::msg::dds_::Twist_"
    assert ros_type_name("unitree_go::msg::dds_::LowCmd_") == "unitree_go/msg/LowCmd"
    assert ros_type_name("Twist") is None
