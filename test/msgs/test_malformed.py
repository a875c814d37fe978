"""Malformed CDR, wrong encodings and truncated buffers raise MalformedMessageError and nothing else."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.image import image_to_numpy, image_to_rgb, numpy_to_image
from anynav.msgs.pointcloud import pointcloud_to_xyz, xyz_to_pointcloud
from anynav.ros.dds.node import deserialize, serialize
from anynav.ros.messages import new_message

TYPES = [
    "geometry_msgs/msg/Twist",
    "sensor_msgs/msg/Image",
    "sensor_msgs/msg/NavSatFix",
    "sensor_msgs/msg/PointCloud2",
    "nav_msgs/msg/Path",
    "std_msgs/msg/String",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TYPES), st.binary(max_size=512))
def test_random_bytes_decode_or_raise_malformed(msgtype, payload):
    data = b"\x00\x01\x00\x00" + payload
    try:
        deserialize(data, msgtype)
    except MalformedMessageError as exc:
        assert exc.msgtype == msgtype


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2000), st.data())
def test_truncated_valid_buffers_raise_malformed(cut, data):
    msg = numpy_to_image(np.arange(12 * 10 * 3, dtype=np.uint8).reshape(10, 12, 3), "rgb8", "cam", 5)
    full = serialize(msg, "sensor_msgs/msg/Image")
    truncated = full[: min(cut, len(full) - 5)]
    with pytest.raises(MalformedMessageError):
        deserialize(truncated, "sensor_msgs/msg/Image")


def test_big_endian_and_non_cdr_headers_are_refused():
    with pytest.raises(MalformedMessageError, match="big-endian"):
        deserialize(b"\x00\x00\x00\x00" + bytes(48), "geometry_msgs/msg/Twist")
    with pytest.raises(MalformedMessageError, match="encapsulation"):
        deserialize(b"\x00\x07\x00\x00" + bytes(48), "geometry_msgs/msg/Twist")


@settings(max_examples=200, deadline=None)
@given(
    encoding=st.sampled_from(["rgb8", "bgr8", "mono8", "mono16", "32FC1", "yuv422", "nv12", "bayer_rggb8", ""]),
    height=st.integers(0, 6),
    width=st.integers(0, 6),
    step=st.integers(0, 40),
    size=st.integers(0, 300),
    bigendian=st.integers(0, 1),
)
def test_images_with_any_header_convert_or_raise_malformed(encoding, height, width, step, size, bigendian):
    msg = new_message(
        "sensor_msgs/msg/Image",
        height=height,
        width=width,
        step=step,
        encoding=encoding,
        is_bigendian=bigendian,
        data=np.zeros(size, np.uint8),
    )
    try:
        pixels = image_to_numpy(msg)
        assert pixels.shape[:2] == (height, width)
        if encoding in ("rgb8", "bgr8", "mono8", "yuv422") and height and width:
            assert image_to_rgb(msg).shape == (height, width, 3)
    except MalformedMessageError as exc:
        assert exc.field in ("encoding", "step", "data", "width")


@settings(max_examples=200, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 40), min_size=3, max_size=3),
    datatype=st.integers(0, 10),
    point_step=st.integers(0, 32),
    width=st.integers(0, 5),
    size=st.integers(0, 200),
)
def test_clouds_with_any_layout_convert_or_raise_malformed(offsets, datatype, point_step, width, size):
    fields = [
        new_message("sensor_msgs/msg/PointField", name=n, offset=o, datatype=datatype, count=1)
        for n, o in zip("xyz", offsets)
    ]
    msg = new_message(
        "sensor_msgs/msg/PointCloud2",
        height=1,
        width=width,
        fields=fields,
        point_step=point_step,
        row_step=point_step * width,
        data=np.zeros(size, np.uint8),
    )
    try:
        assert pointcloud_to_xyz(msg, skip_nans=False).shape == (width, 3)
    except MalformedMessageError as exc:
        assert exc.msgtype == "sensor_msgs/msg/PointCloud2"


def test_cloud_without_xyz_names_the_missing_fields():
    msg = xyz_to_pointcloud(np.zeros((2, 3)), "lidar", 0)
    msg.fields[2].name = "height"
    with pytest.raises(MalformedMessageError, match=r"\['z'\]"):
        pointcloud_to_xyz(msg)
