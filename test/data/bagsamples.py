"""Synthetic CDR samples of the types a robot records (Image, Twist, NavSatFix, PointCloud2, TFMessage).

Sample ``i`` of each topic carries ``i`` in a field, so a reader can tell which samples came back.
Shared by the recorder tests and the recording subprocess of the kill test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory

from anynav.data import RawSample, qos_from_names
from anynav.msgs.typestore import typestore

DISTRO = "humble"
RELIABLE = qos_from_names("keep_last", 10, "reliable", "volatile")
SENSOR = qos_from_names("keep_last", 5, "best_effort", "volatile")
LATCHED = qos_from_names("keep_last", 1, "reliable", "transient_local")

TOPICS = {
    "/camera/image_raw": ("sensor_msgs/msg/Image", SENSOR),
    "/cmd_vel": ("geometry_msgs/msg/Twist", RELIABLE),
    "/gps/fix": ("sensor_msgs/msg/NavSatFix", SENSOR),
    "/utlidar/cloud": ("sensor_msgs/msg/PointCloud2", SENSOR),
    "/tf": ("tf2_msgs/msg/TFMessage", LATCHED),
}


def message(topic: str, i: int, t_ns: int) -> object:
    """Message ``i`` of ``topic`` (a rosbags dataclass), stamped ``t_ns``."""
    types = typestore(DISTRO).types
    header = types["std_msgs/msg/Header"](
        stamp=types["builtin_interfaces/msg/Time"](sec=t_ns // 10**9, nanosec=t_ns % 10**9), frame_id="base_link"
    )
    vector = types["geometry_msgs/msg/Vector3"]
    if topic == "/camera/image_raw":
        data = ((np.arange(4 * 6 * 3) + i) % 256).astype(np.uint8)
        return types["sensor_msgs/msg/Image"](
            header=header, height=4, width=6, encoding="rgb8", is_bigendian=0, step=18, data=data
        )
    if topic == "/cmd_vel":
        return types["geometry_msgs/msg/Twist"](
            linear=vector(x=float(i), y=0.0, z=0.0), angular=vector(x=0.0, y=0.0, z=0.5)
        )
    if topic == "/gps/fix":
        return types["sensor_msgs/msg/NavSatFix"](
            header=header,
            status=types["sensor_msgs/msg/NavSatStatus"](status=0, service=1),
            latitude=47.0 + i * 1e-6,
            longitude=8.5,
            altitude=400.0,
            position_covariance=np.full(9, 0.25),
            position_covariance_type=2,
        )
    if topic == "/utlidar/cloud":
        field = types["sensor_msgs/msg/PointField"]
        points = np.full((8, 3), float(i), dtype=np.float32)
        return types["sensor_msgs/msg/PointCloud2"](
            header=header,
            height=1,
            width=8,
            fields=[field(name=name, offset=4 * k, datatype=7, count=1) for k, name in enumerate("xyz")],
            is_bigendian=False,
            point_step=12,
            row_step=96,
            data=points.view(np.uint8).ravel(),
            is_dense=True,
        )
    if topic == "/tf":
        transform = types["geometry_msgs/msg/Transform"](
            translation=vector(x=float(i), y=0.0, z=0.0),
            rotation=types["geometry_msgs/msg/Quaternion"](x=0.0, y=0.0, z=0.0, w=1.0),
        )
        stamped = types["geometry_msgs/msg/TransformStamped"](
            header=header, child_frame_id="imu_link", transform=transform
        )
        return types["tf2_msgs/msg/TFMessage"](transforms=[stamped])
    raise KeyError(topic)


def index_of(topic: str, msg: object) -> int:
    """The ``i`` a message of ``topic`` was built with; works on rosbags and mcap_ros2 decodings alike."""
    if topic == "/camera/image_raw":
        return int(msg.data[0])  # type: ignore[attr-defined]
    if topic == "/cmd_vel":
        return round(msg.linear.x)  # type: ignore[attr-defined]
    if topic == "/gps/fix":
        return round((msg.latitude - 47.0) * 1e6)  # type: ignore[attr-defined]
    if topic == "/utlidar/cloud":
        return round(float(np.frombuffer(bytes(msg.data[:4]), dtype=np.float32)[0]))  # type: ignore[attr-defined]
    if topic == "/tf":
        return round(msg.transforms[0].transform.translation.x)  # type: ignore[attr-defined]
    raise KeyError(topic)


def sample(topic: str, i: int, t_ns: int) -> RawSample:
    """Sample ``i`` of ``topic`` as the DDS side delivers it: serialized, with the publisher's QoS."""
    msgtype, qos = TOPICS[topic]
    data = typestore(DISTRO).serialize_cdr(message(topic, i, t_ns), msgtype)
    return RawSample(topic, msgtype, (qos,), t_ns, bytes(data))


def stream(count: int, start_ns: int = 1_700_000_000 * 10**9, period_ns: int = 10**7) -> list[RawSample]:
    """``count`` samples of every topic, interleaved, ``period_ns`` apart per round."""
    return [sample(topic, i, start_ns + i * period_ns + k) for i in range(count) for k, topic in enumerate(TOPICS)]


def mcap_messages(path: Path) -> list[tuple[str, int, object]]:
    """(topic, log time, decoded message) of every message in one .mcap file, via the mcap reader.

    mcap-ros2-support 0.6 deprecates ``read_ros2_messages``; this is the decoding it recommends.
    """
    with path.open("rb") as file:
        reader = make_reader(file, decoder_factories=[DecoderFactory()])
        return [(channel.topic, message.log_time, msg) for _, channel, message, msg in reader.iter_decoded_messages()]
