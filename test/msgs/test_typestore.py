"""The typestore is pinned to a named distro (Humble by default, Jazzy selectable), never rosbags' LATEST."""

from __future__ import annotations

import pytest

from anynav.msgs.errors import UnknownMessageTypeError
from anynav.msgs.typestore import distro_from_env, require_type, typestore


def test_default_is_humble_and_jazzy_is_selectable(monkeypatch):
    monkeypatch.delenv("ANYNAV_ROS_DISTRO", raising=False)
    monkeypatch.delenv("ROS_DISTRO", raising=False)
    assert distro_from_env() == "humble"
    monkeypatch.setenv("ROS_DISTRO", "jazzy")
    assert distro_from_env() == "jazzy"
    monkeypatch.setenv("ANYNAV_ROS_DISTRO", "humble")
    assert distro_from_env() == "humble"


def test_both_distros_carry_the_project_message_packages():
    for distro in ("humble", "jazzy"):
        store = typestore(distro)
        for msgtype in ("unitree_go/msg/LowCmd", "unitree_api/msg/Request", "anynav_msgs/msg/JointCommand"):
            assert msgtype in store.fielddefs
        assert store.hash_rihs01("anynav_msgs/msg/JointCommand").startswith("RIHS01_")


def test_unknown_distro_and_type_are_named(monkeypatch):
    monkeypatch.setenv("ANYNAV_ROS_DISTRO", "rolling")
    with pytest.raises(UnknownMessageTypeError, match="'rolling'.*humble"):
        distro_from_env()
    monkeypatch.delenv("ANYNAV_ROS_DISTRO")
    with pytest.raises(UnknownMessageTypeError, match="foo_msgs/msg/Bar"):
        require_type("foo_msgs/msg/Bar", "humble")
