"""`anynav sim`: the default scenario end to end (graph, bag, summary, picture, exit code) and its usage errors."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import yaml
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory
from rosbags.highlevel import AnyReader

from anynav.mission import load_mission
from anynav.ros import QOS_LATCHED, SingleThreadedExecutor, init, message_class
from anynav.ros.dds.node import Node
from anynav.ros.launcher import find_params_file
from anynav.sim.scenario import find_scenario, load_scenario

#: Topics the issue asks the bag to hold: camera, GPS, IMU, odometry, TF, LiDAR and cmd_vel.
REQUIRED = {
    "/camera/image_raw": "sensor_msgs/msg/Image",
    "/camera/image_raw/compressed": "sensor_msgs/msg/CompressedImage",
    "/camera/camera_info": "sensor_msgs/msg/CameraInfo",
    "/gps/fix": "sensor_msgs/msg/NavSatFix",
    "/imu/data": "sensor_msgs/msg/Imu",
    "/odom": "nav_msgs/msg/Odometry",
    "/tf": "tf2_msgs/msg/TFMessage",
    "/tf_static": "tf2_msgs/msg/TFMessage",
    "/utlidar/cloud": "sensor_msgs/msg/PointCloud2",
    "/cmd_vel": "geometry_msgs/msg/Twist",
    "/clock": "rosgraph_msgs/msg/Clock",
    "/sim/status": "std_msgs/msg/String",
}


def anynav_sim(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "anynav.cli.main", "sim", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_default_scenario_runs_records_and_reaches_every_waypoint(tmp_path: Path) -> None:
    out = tmp_path / "run"
    # open_field takes 70-95 s of sim time (stand-in driver or GPS navigation graph): about 25 s at 5x.
    proc = anynav_sim("--out", str(out), "--timeout", "100", "open_field", "sim.real_time_factor:=5.0")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "waypoint 1/3" in proc.stdout  # progress lines from /sim/status
    assert "waypoints reached  3/3" in proc.stdout and "SUCCESS" in proc.stdout and "min clearance" in proc.stdout

    scenario = load_scenario(find_scenario("open_field"))
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "succeeded" and status["reached"] == [True, True, True] and status["collisions"] == 0
    last_waypoint = scenario.waypoints_enu()[-1]
    assert math.dist((status["pose"]["x"], status["pose"]["y"]), last_waypoint) <= scenario.mission.arrival_radius
    params = yaml.safe_load((out / "params.yaml").read_text())
    assert params["sim"]["ros__parameters"]["scenario"] == str(find_scenario("open_field").resolve())
    for body in params.values():  # the GPS mission node gets the scenario's waypoints as a mission file
        if "mission_file" in body["ros__parameters"]:
            mission = load_mission(body["ros__parameters"]["mission_file"])
            assert [(w.latitude, w.longitude) for w in mission.waypoints] == [
                (w.latitude, w.longitude) for w in scenario.mission.waypoints
            ]

    bag = out / "bag"
    with AnyReader([bag]) as reader:
        topics = {c.topic: c for c in reader.connections}
        for topic, msgtype in REQUIRED.items():
            assert topic in topics and topics[topic].msgtype == msgtype and topics[topic].msgcount > 0, topic
        fixes = [c for c in reader.connections if c.topic == "/gps/fix"]
        _, _, raw = next(reader.messages(connections=fixes))
        assert abs(reader.deserialize(raw, "sensor_msgs/msg/NavSatFix").latitude - 47.4) < 0.01
    files = sorted(bag.glob("*.mcap"))
    assert files
    with files[0].open("rb") as stream:
        mcap = make_reader(stream, decoder_factories=[DecoderFactory()])
        counts = mcap.get_summary().statistics.channel_message_counts
        channels = {c.topic: c.id for c in mcap.get_summary().channels.values()}
        assert all(counts.get(channels.get(topic, -1), 0) > 0 for topic in REQUIRED)
        _, _, _, info = next(mcap.iter_decoded_messages(topics=["/camera/camera_info"]))
        assert (info.width, info.height) == (224, 224)

    picture = cv2.imread(str(out / "trajectory.png"))
    assert picture is not None
    trajectory_bgr = np.array([160, 30, 200])  # the magenta of anynav.sim.picture
    assert (np.abs(picture.astype(int) - trajectory_bgr).sum(axis=2) < 30).sum() > 200


@pytest.fixture
def bare_graph(tmp_path: Path) -> Path:
    """The shipped sim node driven by the stand-in driver, nothing else (no policy node, no vla node)."""
    sim = yaml.safe_load(find_params_file("sim").read_text())["sim"]
    driver = {"ros__parameters": {"use_sim_time": True, "scenario": "open_field"}}
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump({"sim": sim, "sim_driver": driver}))
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "logonav"], "--policy needs a 'policy' node in the graph"),
        (["--vla", "http://127.0.0.1:9/v1"], "--vla needs a 'vla' node in the graph"),
        (["no_such_scenario"], "no such scenario; shipped scenarios: .*open_field"),
        (["open_field", "street"], "one scenario at a time"),
        (["--timeout", "0", "open_field"], "--timeout must be a positive number"),
    ],
)
def test_usage_errors_exit_2_before_anything_starts(
    tmp_path: Path, bare_graph: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    proc = anynav_sim("--graph", str(bare_graph), "--out", str(out), *args, timeout=30)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith("anynav sim: ") and re.search(message, proc.stderr), proc.stderr
    assert not (out / "graph.log").exists()


def test_a_node_that_dies_is_named_and_the_run_fails(tmp_path: Path, bare_graph: Path) -> None:
    proc = anynav_sim("--graph", str(bare_graph), "--out", str(tmp_path / "out"), "sim.no_such_param:=1", timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "a node of the graph died" in proc.stderr and "unknown parameter(s) 'no_such_param'" in proc.stderr


def test_graph_without_a_sim_node_is_refused(tmp_path: Path) -> None:
    graph = tmp_path / "nosim.yaml"
    graph.write_text("talker:\n  ros__parameters: {rate_hz: 2.0}\n")
    proc = anynav_sim("--graph", str(graph), "--out", str(tmp_path / "out"), timeout=30)
    assert proc.returncode == 2 and "has no 'sim' node" in proc.stderr


@pytest.fixture
def short_scenario(tmp_path: Path, scenario_data: Callable[..., dict[str, Any]]) -> Callable[..., Path]:
    """A scenario file without camera and LiDAR whose one waypoint lies ``north`` metres away (3 m east if 0)."""

    def write(name: str, north: float = 0.0, timeout_s: float = 60.0) -> Path:
        waypoint = {"latitude": 47.4 + north / 111_200.0, "longitude": 8.54004 if north == 0.0 else 8.54}
        data = scenario_data(
            name=name,
            mission={"waypoints": [waypoint], "arrival_radius": 1.0, "timeout_s": timeout_s},
            sensors={"camera": {"enabled": False}, "lidar": {"enabled": False}},
        )
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data))
        return path

    return write


def test_instruction_is_published_latched_once_the_graph_listens(
    tmp_path: Path, bare_graph: Path, short_scenario: Callable[..., Path]
) -> None:
    init(args=[])
    listener = Node("instruction_listener")
    heard: list[str] = []
    listener.create_subscription(
        message_class("std_msgs/msg/String"), "/instruction", lambda m: heard.append(m.data), QOS_LATCHED
    )
    executor = SingleThreadedExecutor()
    executor.add_node(listener)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "anynav.cli.main",
            "sim",
            "--graph",
            str(bare_graph),
            "--out",
            str(out),
            "--no-record",
            "--instruction",
            "walk to the tree",
            str(short_scenario("three_metres")),
            "sim.real_time_factor:=5.0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        executor.spin_until(lambda: bool(heard) or proc.poll() is not None, timeout_sec=60.0)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
        executor.shutdown()
        listener.destroy_node()
    assert heard == ["walk to the tree"]
    # With --instruction success means the executor finished the instruction; this graph has no executor.
    assert proc.returncode == 1, stdout + stderr
    assert "instruction 'walk to the tree': unfinished" in stdout
    assert "instruction sent on /instruction: 'walk to the tree'" in stdout and "waypoints reached  1/1" in stdout
    assert "not recorded (--no-record)" in stdout and not (out / "bag").exists()
    assert (out / "trajectory.png").is_file()


def test_mission_that_times_out_exits_1_with_its_summary(
    tmp_path: Path, bare_graph: Path, short_scenario: Callable[..., Path]
) -> None:
    scenario = short_scenario("far", north=15.0, timeout_s=2.0)
    out = tmp_path / "out"
    proc = anynav_sim(
        "--graph", str(bare_graph), "--out", str(out), str(scenario), "sim.real_time_factor:=5.0", timeout=60
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "FAILED" in proc.stdout
        and "waypoints reached  0/1" in proc.stdout
        and "end state          timeout" in proc.stdout
    )
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "timeout" and status["time"] == pytest.approx(2.0)
    assert (out / "bag" / "metadata.yaml").is_file() and (out / "trajectory.png").is_file()
