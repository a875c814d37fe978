"""Parameters: params files, --ros-args, types, ranges and unknown keys, with messages that name things."""

from __future__ import annotations

import pytest

from anynav.ros import FloatingPointRange, IntegerRange, ParameterDescriptor
from anynav.ros.dds.node import Node
from anynav.ros.errors import ParameterError, ParamsFileError
from anynav.ros.params import load_params_file, parse_ros_args


def make_node(tmp_path, text: str, *extra: str, name: str = "follower") -> Node:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return Node(name, cli_args=["--ros-args", "--params-file", str(path), *extra])


def declare_follower(node: Node) -> None:
    node.declare_parameter(
        "rate_hz", 10.0, ParameterDescriptor(floating_point_range=[FloatingPointRange(from_value=1.0, to_value=100.0)])
    )
    node.declare_parameter(
        "waypoint_index", 2, ParameterDescriptor(integer_range=[IntegerRange(from_value=0, to_value=7)])
    )
    node.declare_parameter("allow_reverse", False)
    node.declare_parameter("topics", ["a", "b"])


def test_values_from_file_and_command_line(tmp_path):
    node = make_node(
        tmp_path, "follower:\n  ros__parameters:\n    rate_hz: 20\n    waypoint_index: 3\n", "-p", "allow_reverse:=true"
    )
    declare_follower(node)
    assert node.get_parameter("rate_hz").value == 20.0 and isinstance(node.get_parameter("rate_hz").value, float)
    assert node.get_parameter("waypoint_index").value == 3
    assert node.get_parameter("allow_reverse").value is True
    node.check_parameters()


def test_out_of_range_names_node_key_source_and_range(tmp_path):
    node = make_node(tmp_path, "follower:\n  ros__parameters:\n    rate_hz: 500.0\n")
    with pytest.raises(ParameterError) as exc:
        declare_follower(node)
    text = str(exc.value)
    assert "'/follower'" in text and "'rate_hz'" in text and "[1.0, 100.0]" in text and "params.yaml" in text


def test_wrong_type_is_refused(tmp_path):
    node = make_node(tmp_path, "follower:\n  ros__parameters:\n    waypoint_index: two\n")
    with pytest.raises(ParameterError, match=r"'waypoint_index'.*expected integer, got string"):
        declare_follower(node)


def test_unknown_key_lists_what_the_node_accepts(tmp_path):
    node = make_node(tmp_path, "follower:\n  ros__parameters:\n    rate_hzz: 5.0\n")
    declare_follower(node)
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) 'rate_hzz'.*rate_hz \[1.0, 100.0\]"):
        node.check_parameters()


def test_wildcard_section_applies_but_is_not_an_unknown_key(tmp_path):
    node = make_node(
        tmp_path,
        "/**:\n  ros__parameters:\n    use_sim_time: true\n    shared_key: 1\n"
        "follower:\n  ros__parameters:\n    rate_hz: 5.0\n",
    )
    declare_follower(node)
    node.check_parameters()
    assert node.get_clock().use_sim_time


def test_other_nodes_sections_do_not_leak(tmp_path):
    node = make_node(tmp_path, "mux:\n  ros__parameters:\n    rate_hz: 50.0\n")
    declare_follower(node)
    assert node.get_parameter("rate_hz").value == 10.0


def test_node_rename_and_namespace_from_args(tmp_path):
    node = make_node(
        tmp_path, "/robot1/left:\n  ros__parameters:\n    rate_hz: 7.0\n", "-r", "__node:=left", "-r", "__ns:=/robot1"
    )
    declare_follower(node)
    assert node.get_fully_qualified_name() == "/robot1/left" and node.get_parameter("rate_hz").value == 7.0


@pytest.mark.parametrize(
    "text,match",
    [
        ("follower:\n  rate_hz: 1\n", "ros__parameters"),
        ("- a\n- b\n", "top level"),
        ("follower: {ros__parameters: [1, 2]}\n", "mapping"),
        ("follower: {ros__parameters: {a: 1}\n", "not valid YAML"),
    ],
)
def test_bad_params_files_name_the_file(tmp_path, text, match):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ParamsFileError, match=match) as exc:
        load_params_file(path)
    assert "bad.yaml" in str(exc.value)


def test_nested_parameters_flatten_to_dotted_names(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("n:\n  ros__parameters:\n    limits: {max_v: 1.0, max_w: 0.5}\n")
    assert set(load_params_file(path)["n"]) == {"limits.max_v", "limits.max_w"}


def test_ros_args_parsing_keeps_user_args():
    ros, rest = parse_ros_args(["scenario", "--ros-args", "-p", "a:=[1, 2]", "-r", "chatter:=talk", "--", "--x"])
    assert ros.params["a"].value == [1, 2] and ros.remaps == {"chatter": "talk"} and rest == ["scenario", "--x"]
    with pytest.raises(ParameterError, match="name:=value"):
        parse_ros_args(["--ros-args", "-p", "oops"])


def test_log_level_from_ros_args_sets_the_node_logger(capsys):
    node = Node("chatty", cli_args=["--ros-args", "--log-level", "DEBUG"])
    assert node.get_logger().debug("visible at debug")
    quiet = Node("quiet", cli_args=["--ros-args", "--log-level", "error"])
    assert not quiet.get_logger().warn("hidden below error")
