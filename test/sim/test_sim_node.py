"""The sim node in-process on a tiny scenario: sim-time stamps, sensors, TF, CameraInfo, cmd_vel and its TTL."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from anynav.msgs.image import compressed_to_rgb, image_to_rgb
from anynav.msgs.navigation import twist_message
from anynav.msgs.pointcloud import pointcloud_to_xyz
from anynav.msgs.time import stamp_to_ns
from anynav.ros import (
    QOS_LATCHED,
    SingleThreadedExecutor,
    init,
    message_class,
    qos_profile_sensor_data,
)
from anynav.ros.dds.node import Node
from anynav.ros.params import Parameter
from anynav.sim.errors import SimNodeConfigError
from anynav.sim.node import SimNode
from anynav.sim.status import MissionStatus

STEP_NS = 10_000_000
TINY_SENSORS = {
    "camera": {"enabled": True, "width": 32, "height": 24, "hfov_deg": 90.0, "rate_hz": 10.0},
    "lidar": {"points_per_sweep": 500, "rate_hz": 10.0},
    "gps": {"rate_hz": 10.0},
}
SENSOR_TOPICS = {
    "/clock": "rosgraph_msgs/msg/Clock",
    "/camera/image_raw": "sensor_msgs/msg/Image",
    "/camera/image_raw/compressed": "sensor_msgs/msg/CompressedImage",
    "/camera/camera_info": "sensor_msgs/msg/CameraInfo",
    "/gps/fix": "sensor_msgs/msg/NavSatFix",
    "/imu/data": "sensor_msgs/msg/Imu",
    "/utlidar/cloud": "sensor_msgs/msg/PointCloud2",
}
RELIABLE_TOPICS = {"/odom": "nav_msgs/msg/Odometry", "/tf": "tf2_msgs/msg/TFMessage"}
LATCHED_TOPICS = {"/tf_static": "tf2_msgs/msg/TFMessage", "/sim/status": "std_msgs/msg/String"}


@pytest.fixture
def tiny_scenario(tmp_path: Path, scenario_data: Callable[..., dict[str, Any]]) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(scenario_data(sensors=TINY_SENSORS)))
    return path


class Probe:
    """A second node in the same process: records what the sim publishes and sends cmd_vel on a wall timer."""

    def __init__(
        self,
        name: str,
        status_topic: str = "/sim/status",
        cmd_vel_type: str = "geometry_msgs/msg/Twist",
        cmd_vel_topic: str = "/cmd_vel",
        all_topics: bool = True,
    ) -> None:
        self.node = Node(name)
        self.got: dict[str, list] = {}
        topics = [(status_topic, "std_msgs/msg/String", QOS_LATCHED)]
        if all_topics:
            topics += [(t, m, qos_profile_sensor_data) for t, m in SENSOR_TOPICS.items()]
            topics += [(t, m, 10) for t, m in RELIABLE_TOPICS.items()]
            topics += [("/tf_static", "tf2_msgs/msg/TFMessage", QOS_LATCHED)]
        for topic, msgtype, qos in topics:
            self.got[topic] = []
            self.node.create_subscription(message_class(msgtype), topic, self.got[topic].append, qos)
        self.status_topic = status_topic
        self.command: Any = None
        self.sent = 0
        self._pub = self.node.create_publisher(message_class(cmd_vel_type), cmd_vel_topic, 10)
        self.node.create_timer(0.02, self._send)

    def _send(self) -> None:
        if self.command is not None:
            self._pub.publish(self.command)
            self.sent += 1

    @property
    def status(self) -> MissionStatus | None:
        statuses = self.got[self.status_topic]
        return MissionStatus.from_json(statuses[-1].data) if statuses else None


def make_sim(scenario: Path, **params: Any) -> SimNode:
    overrides = [Parameter("scenario", str(scenario)), Parameter("real_time_factor", 5.0)]
    overrides += [Parameter(name, value) for name, value in params.items()]
    return SimNode(parameter_overrides=overrides)


def spin_until(
    executor: SingleThreadedExecutor, predicate: Callable[[], bool], what: str, timeout: float = 20.0
) -> None:
    assert executor.spin_until(predicate, timeout), f"timed out waiting for {what}"


def sim_time_after(probe: Probe, seconds: float) -> Callable[[], bool]:
    start = probe.status.time_s  # type: ignore[union-attr]
    return lambda: probe.status.time_s >= start + seconds  # type: ignore[union-attr]


def rotation(q: Any) -> np.ndarray:
    x, y, z, w = q.x, q.y, q.z, q.w
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def test_sim_node_publishes_every_sensor_on_sim_time_and_follows_cmd_vel(tiny_scenario: Path) -> None:
    init(args=[])
    sim = make_sim(tiny_scenario)
    probe = Probe("sim_probe")
    executor = SingleThreadedExecutor()
    executor.add_node(sim)
    executor.add_node(probe.node)
    try:
        every = [*SENSOR_TOPICS, *RELIABLE_TOPICS, "/tf_static", "/sim/status"]
        spin_until(executor, lambda: all(probe.got[t] for t in every), "a message on every topic")

        # Stamps are sim time: multiples of the 10 ms step, never ahead of /clock, far from wall time.
        clock = max(stamp_to_ns(m.clock) for m in probe.got["/clock"])
        assert clock < 60 * 10**9
        for topic in [*SENSOR_TOPICS, *RELIABLE_TOPICS]:
            if topic == "/clock":
                continue
            for msg in probe.got[topic]:
                headers = [t.header for t in msg.transforms] if topic == "/tf" else [msg.header]
                for h in headers:
                    stamp = stamp_to_ns(h.stamp)
                    assert stamp % STEP_NS == 0 and 0 < stamp <= clock, (topic, stamp, clock)
        image_stamps = sorted(stamp_to_ns(m.header.stamp) for m in probe.got["/camera/image_raw"])
        assert min(np.diff(image_stamps), default=10**8) == 10**8  # the scenario's 10 Hz camera

        info = probe.got["/camera/camera_info"][-1]
        assert (info.width, info.height, info.header.frame_id) == (32, 24, "camera_optical_frame")
        assert info.distortion_model == "plumb_bob" and not np.asarray(info.d).any()
        # 90 degree horizontal FOV over 32 px: f = 16 px; principal point at the image centre.
        np.testing.assert_allclose(np.asarray(info.k), [16, 0, 15.5, 0, 16, 11.5, 0, 0, 1])
        np.testing.assert_allclose(np.asarray(info.p), [16, 0, 15.5, 0, 0, 16, 11.5, 0, 0, 0, 1, 0])
        np.testing.assert_allclose(np.asarray(info.r), np.eye(3).ravel())
        image = probe.got["/camera/image_raw"][-1]
        assert image.encoding == "rgb8" and image_to_rgb(image).shape == (24, 32, 3)
        assert compressed_to_rgb(probe.got["/camera/image_raw/compressed"][-1]).shape == (24, 32, 3)
        cloud = probe.got["/utlidar/cloud"][-1]
        assert cloud.header.frame_id == "utlidar_lidar" and 0 < len(pointcloud_to_xyz(cloud)) <= 500
        fix = probe.got["/gps/fix"][-1]
        assert fix.header.frame_id == "gps_link" and fix.status.status == 0 and abs(fix.latitude - 47.4) < 1e-4

        static = {t.child_frame_id: t for t in probe.got["/tf_static"][-1].transforms}
        assert set(static) == {"camera_link", "camera_optical_frame", "utlidar_lidar", "gps_link", "imu_link"}
        assert {t.header.frame_id for t in static.values()} == {"base_link"}
        optical = rotation(static["camera_optical_frame"].transform.rotation)
        # Optical frame: z looks forward (base x), x points right (base -y), y points down (base -z).
        np.testing.assert_allclose(optical @ [0, 0, 1], [1, 0, 0], atol=1e-9)
        np.testing.assert_allclose(optical @ [1, 0, 0], [0, -1, 0], atol=1e-9)
        np.testing.assert_allclose(optical @ [0, 1, 0], [0, 0, -1], atol=1e-9)
        assert static["camera_link"].transform.translation.x == pytest.approx(0.32)

        # A Twist drives the robot forward (east); odometry and TF follow it.
        probe.command = twist_message(0.5, 0.0, 0.0)
        spin_until(executor, lambda: probe.status.pose.x > 1.0, "the robot to drive 1 m")
        odom = probe.got["/odom"][-1]
        assert (odom.header.frame_id, odom.child_frame_id) == ("odom", "base_link")
        assert odom.twist.twist.linear.x == pytest.approx(0.5, abs=0.01)
        tf = {stamp_to_ns(m.transforms[0].header.stamp): m.transforms[0] for m in probe.got["/tf"]}
        odom_tf = tf[stamp_to_ns(odom.header.stamp)]
        assert (odom_tf.header.frame_id, odom_tf.child_frame_id) == ("odom", "base_link")
        assert odom_tf.transform.translation.x == pytest.approx(odom.pose.pose.position.x)

        # NaN commands are dropped and counted; once the last good one is older than the TTL the robot stops.
        good = probe.sent
        probe.command = twist_message(math.nan, 0.0, 0.0)
        spin_until(executor, lambda: probe.status.cmd_vel_rejected >= 5, "rejections")
        spin_until(executor, sim_time_after(probe, 1.5), "the TTL and the braking to pass")
        stopped_at = probe.status.pose
        spin_until(executor, sim_time_after(probe, 1.0), "another sim second")
        assert math.dist((stopped_at.x, stopped_at.y), (probe.status.pose.x, probe.status.pose.y)) < 1e-3
        assert probe.got["/odom"][-1].twist.twist.linear.x == pytest.approx(0.0, abs=1e-3)
        probe.command = None
        nan_sent = probe.sent - good
        spin_until(
            executor, lambda: probe.status.cmd_vel_rejected == nan_sent, "every NaN command counted", timeout=5.0
        )
        status = probe.status
        assert status.state == "running" and status.collisions == () and status.reached == (False,)
    finally:
        executor.shutdown()
        sim.destroy_node()
        probe.node.destroy_node()


def test_twist_stamped_and_topic_names_come_from_parameters(tiny_scenario: Path) -> None:
    init(args=[])
    sim = make_sim(
        tiny_scenario, cmd_vel_stamped=True, cmd_vel_topic="/stamped/cmd_vel", status_topic="/stamped/sim/status"
    )
    probe = Probe(
        "stamped_probe",
        status_topic="/stamped/sim/status",
        cmd_vel_type="geometry_msgs/msg/TwistStamped",
        cmd_vel_topic="/stamped/cmd_vel",
        all_topics=False,
    )
    executor = SingleThreadedExecutor()
    executor.add_node(sim)
    executor.add_node(probe.node)
    try:
        probe.command = twist_message(0.0, 0.0, 0.8, stamped=True)
        spin_until(executor, lambda: probe.status is not None and probe.status.pose.yaw > 0.5, "the robot to turn")
        assert probe.status.cmd_vel_rejected == 0
    finally:
        executor.shutdown()
        sim.destroy_node()
        probe.node.destroy_node()


def test_sim_node_refuses_sim_time_and_sensors_faster_than_its_steps(tiny_scenario: Path) -> None:
    init(args=[])
    with pytest.raises(SimNodeConfigError, match="use_sim_time false"):
        make_sim(tiny_scenario, use_sim_time=True)
    with pytest.raises(SimNodeConfigError, match=r"sensors.imu.rate_hz=100 is faster than the sim steps \(step_s=0.02"):
        make_sim(tiny_scenario, step_s=0.02)
