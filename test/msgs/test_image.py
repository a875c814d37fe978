"""Image and CompressedImage conversions: every encoding, row padding, endianness."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.image import compressed_to_rgb, image_to_numpy, image_to_rgb, numpy_to_image, rgb_to_compressed
from anynav.ros.messages import new_message

RNG = np.random.default_rng(7)
RGB = RNG.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)


def padded(pixels: np.ndarray, encoding: str, pad: int, bigendian: bool = False):
    """An Image whose rows carry ``pad`` junk bytes, as some camera drivers send."""
    rows = pixels.reshape(pixels.shape[0], -1)
    if bigendian:
        rows = rows.astype(rows.dtype.newbyteorder(">"))
    raw = np.ascontiguousarray(rows).view(np.uint8)
    junk = np.full((raw.shape[0], pad), 0xAB, np.uint8)
    data = np.hstack([raw, junk])
    return new_message(
        "sensor_msgs/msg/Image",
        height=pixels.shape[0],
        width=pixels.shape[1],
        encoding=encoding,
        is_bigendian=int(bigendian),
        step=data.shape[1],
        data=data.reshape(-1),
    )


@pytest.mark.parametrize(
    "encoding,convert",
    [("rgb8", None), ("bgr8", cv2.COLOR_RGB2BGR), ("rgba8", cv2.COLOR_RGB2RGBA), ("bgra8", cv2.COLOR_RGB2BGRA)],
)
def test_colour_encodings_with_row_padding_give_rgb(encoding, convert):
    native = RGB if convert is None else cv2.cvtColor(RGB, convert)
    msg = padded(native, encoding, pad=3)
    assert np.array_equal(image_to_numpy(msg), native)
    assert np.array_equal(image_to_rgb(msg), RGB)


@pytest.mark.parametrize("encoding,dtype", [("mono16", np.uint16), ("16UC1", np.uint16), ("32FC1", np.float32)])
@pytest.mark.parametrize("bigendian", [False, True])
def test_wide_encodings_honour_endianness(encoding, dtype, bigendian):
    pixels = (RNG.random((4, 6)) * 60000).astype(dtype)
    assert np.array_equal(image_to_numpy(padded(pixels, encoding, pad=2, bigendian=bigendian)), pixels)


def test_mono8_to_rgb_repeats_the_channel():
    gray = RGB[:, :, 0]
    assert np.array_equal(image_to_rgb(padded(gray, "mono8", pad=1)), np.dstack([gray] * 3))


@pytest.mark.parametrize("encoding,code", [("yuv422", cv2.COLOR_YUV2RGB_UYVY), ("yuyv", cv2.COLOR_YUV2RGB_YUYV)])
def test_yuv422_variants_decode_with_their_byte_order(encoding, code):
    packed = RNG.integers(16, 235, size=(4, 6, 2), dtype=np.uint8)
    assert np.array_equal(image_to_rgb(padded(packed, encoding, pad=4)), cv2.cvtColor(packed, code))


def test_numpy_to_image_round_trip_and_dense_step():
    msg = numpy_to_image(RGB, "rgb8", "camera_optical_frame", 1_500_000_000)
    assert msg.step == 7 * 3 and msg.header.stamp.sec == 1 and msg.header.stamp.nanosec == 500_000_000
    assert np.array_equal(image_to_rgb(msg), RGB)


def test_short_data_and_small_step_name_the_field():
    msg = padded(RGB, "rgb8", pad=0)
    msg.data = msg.data[:-1]
    with pytest.raises(MalformedMessageError, match="data"):
        image_to_numpy(msg)
    msg = padded(RGB, "rgb8", pad=0)
    msg.step = 5
    with pytest.raises(MalformedMessageError, match="step"):
        image_to_numpy(msg)


def test_unsupported_encoding_is_named():
    msg = padded(RGB, "rgb8", pad=0)
    msg.encoding = "bayer_rggb8"
    with pytest.raises(MalformedMessageError, match="bayer_rggb8") as exc:
        image_to_numpy(msg)
    assert exc.value.field == "encoding"


def test_jpeg_round_trip_is_close():
    smooth = cv2.GaussianBlur(cv2.resize(RGB, (64, 48)), (9, 9), 3)
    decoded = compressed_to_rgb(rgb_to_compressed(smooth, quality=95))
    assert decoded.shape == smooth.shape and np.abs(decoded.astype(int) - smooth).mean() < 3


def test_undecodable_jpeg_is_malformed():
    msg = new_message("sensor_msgs/msg/CompressedImage", format="jpeg", data=np.arange(50, dtype=np.uint8))
    with pytest.raises(MalformedMessageError, match="cannot decode"):
        compressed_to_rgb(msg)
