"""sensor_msgs/Image and CompressedImage ↔ numpy arrays, honouring encoding, step and endianness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.time import header
from anynav.ros.messages import new_message

IMAGE = "sensor_msgs/msg/Image"
COMPRESSED = "sensor_msgs/msg/CompressedImage"


@dataclass(frozen=True)
class Encoding:
    dtype: np.dtype
    channels: int


ENCODINGS: dict[str, Encoding] = {
    "rgb8": Encoding(np.dtype(np.uint8), 3),
    "bgr8": Encoding(np.dtype(np.uint8), 3),
    "rgba8": Encoding(np.dtype(np.uint8), 4),
    "bgra8": Encoding(np.dtype(np.uint8), 4),
    "mono8": Encoding(np.dtype(np.uint8), 1),
    "8UC1": Encoding(np.dtype(np.uint8), 1),
    "8UC3": Encoding(np.dtype(np.uint8), 3),
    "mono16": Encoding(np.dtype(np.uint16), 1),
    "16UC1": Encoding(np.dtype(np.uint16), 1),
    "32FC1": Encoding(np.dtype(np.float32), 1),
    # Packed 4:2:2, two bytes per pixel: ROS `yuv422` is UYVY, `yuv422_yuy2`/`yuyv` is YUYV.
    "yuv422": Encoding(np.dtype(np.uint8), 2),
    "uyvy": Encoding(np.dtype(np.uint8), 2),
    "yuv422_yuy2": Encoding(np.dtype(np.uint8), 2),
    "yuyv": Encoding(np.dtype(np.uint8), 2),
}

_TO_RGB = {
    "bgr8": cv2.COLOR_BGR2RGB,
    "8UC3": cv2.COLOR_BGR2RGB,
    "rgba8": cv2.COLOR_RGBA2RGB,
    "bgra8": cv2.COLOR_BGRA2RGB,
    "mono8": cv2.COLOR_GRAY2RGB,
    "8UC1": cv2.COLOR_GRAY2RGB,
    "yuv422": cv2.COLOR_YUV2RGB_UYVY,
    "uyvy": cv2.COLOR_YUV2RGB_UYVY,
    "yuv422_yuy2": cv2.COLOR_YUV2RGB_YUYV,
    "yuyv": cv2.COLOR_YUV2RGB_YUYV,
}


def image_to_numpy(msg: Any) -> np.ndarray:
    """The pixels as (H, W) or (H, W, C) in the message's own encoding; row padding removed."""
    encoding = ENCODINGS.get(msg.encoding)
    if encoding is None:
        raise MalformedMessageError(
            IMAGE, "encoding", f"unsupported encoding {msg.encoding!r}; supported: {sorted(ENCODINGS)}"
        )
    height, width, step = int(msg.height), int(msg.width), int(msg.step)
    if encoding.channels == 2 and width % 2:
        raise MalformedMessageError(
            IMAGE, "width", f"{width} is odd; packed 4:2:2 ({msg.encoding}) needs an even width"
        )
    row_bytes = width * encoding.channels * encoding.dtype.itemsize
    if step < row_bytes:
        raise MalformedMessageError(IMAGE, "step", f"{step} is smaller than width×bytes per pixel = {row_bytes}")
    data = np.frombuffer(msg.data, dtype=np.uint8)
    if data.size < step * height:
        raise MalformedMessageError(IMAGE, "data", f"{data.size} bytes, expected step×height = {step * height}")
    rows = data[: step * height].reshape(height, step)[:, :row_bytes]
    dtype = encoding.dtype.newbyteorder(">" if msg.is_bigendian else "<")
    pixels = np.ascontiguousarray(rows).view(dtype).astype(encoding.dtype, copy=False)
    if encoding.channels == 2 and encoding.dtype == np.uint8:
        return pixels.reshape(height, width, 2)
    return pixels.reshape(height, width) if encoding.channels == 1 else pixels.reshape(height, width, encoding.channels)


def image_to_rgb(msg: Any) -> np.ndarray:
    """An (H, W, 3) uint8 RGB array, whatever 8-bit colour or YUV encoding the camera sends."""
    pixels = image_to_numpy(msg)
    if msg.encoding == "rgb8":
        return pixels
    if msg.encoding not in _TO_RGB:
        raise MalformedMessageError(IMAGE, "encoding", f"{msg.encoding!r} is not a colour encoding convertible to rgb8")
    return cv2.cvtColor(pixels, _TO_RGB[msg.encoding])


def numpy_to_image(pixels: np.ndarray, encoding: str, frame_id: str = "", stamp_ns: int = 0) -> Any:
    """A dense (step = row bytes) little-endian Image from an array in ``encoding``."""
    spec = ENCODINGS.get(encoding)
    if spec is None:
        raise ValueError(f"unsupported encoding {encoding!r}; supported: {sorted(ENCODINGS)}")
    pixels = np.ascontiguousarray(pixels, dtype=spec.dtype)
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    if channels != spec.channels:
        raise ValueError(f"encoding {encoding} has {spec.channels} channels, array has {channels}")
    height, width = pixels.shape[:2]
    return new_message(
        IMAGE,
        header=header(frame_id, stamp_ns),
        height=height,
        width=width,
        encoding=encoding,
        is_bigendian=0,
        step=width * channels * spec.dtype.itemsize,
        data=pixels.reshape(-1).view(np.uint8),
    )


def compressed_to_rgb(msg: Any) -> np.ndarray:
    """Decode a JPEG/PNG CompressedImage to (H, W, 3) uint8 RGB."""
    data = np.frombuffer(msg.data, dtype=np.uint8)
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if decoded is None:
        raise MalformedMessageError(COMPRESSED, "data", f"cannot decode {data.size} bytes as format {msg.format!r}")
    return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)


def rgb_to_compressed(rgb: np.ndarray, frame_id: str = "", stamp_ns: int = 0, quality: int = 85) -> Any:
    """JPEG-encode an RGB array as image_transport's compressed plugin does (format 'rgb8; jpeg compressed bgr8')."""
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return new_message(
        COMPRESSED, header=header(frame_id, stamp_ns), format="rgb8; jpeg compressed bgr8", data=encoded.reshape(-1)
    )
