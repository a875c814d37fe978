"""sensor_msgs/PointCloud2 ↔ numpy: any field order and offsets, point/row padding, NaN points."""

from __future__ import annotations

from typing import Any

import numpy as np

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.time import header
from anynav.ros.messages import new_message

POINTCLOUD2 = "sensor_msgs/msg/PointCloud2"
POINT_FIELD = "sensor_msgs/msg/PointField"

# sensor_msgs/PointField datatype constants.
DATATYPES: dict[int, np.dtype] = {
    1: np.dtype(np.int8),
    2: np.dtype(np.uint8),
    3: np.dtype(np.int16),
    4: np.dtype(np.uint16),
    5: np.dtype(np.int32),
    6: np.dtype(np.uint32),
    7: np.dtype(np.float32),
    8: np.dtype(np.float64),
}
FLOAT32 = 7


def cloud_dtype(msg: Any) -> np.dtype:
    """The structured dtype of one point, with the message's offsets and point_step padding."""
    names, formats, offsets = [], [], []
    order = ">" if msg.is_bigendian else "<"
    for field in msg.fields:
        base = DATATYPES.get(int(field.datatype))
        if base is None:
            raise MalformedMessageError(
                POINTCLOUD2, f"fields[{field.name}].datatype", f"unknown datatype {field.datatype}"
            )
        count = max(int(field.count), 1)
        if int(field.offset) + base.itemsize * count > int(msg.point_step):
            raise MalformedMessageError(
                POINTCLOUD2,
                f"fields[{field.name}].offset",
                f"{field.offset} + size runs past point_step {msg.point_step}",
            )
        names.append(field.name)
        formats.append((base.newbyteorder(order), (count,)) if count > 1 else base.newbyteorder(order))
        offsets.append(int(field.offset))
    try:
        return np.dtype({"names": names, "formats": formats, "offsets": offsets, "itemsize": int(msg.point_step)})
    except ValueError as exc:
        raise MalformedMessageError(POINTCLOUD2, "fields", str(exc)) from exc


def pointcloud_to_structured(msg: Any) -> np.ndarray:
    """All points as a 1-D structured array (rows concatenated, row padding dropped)."""
    dtype = cloud_dtype(msg)
    height, width = int(msg.height), int(msg.width)
    point_step, row_step = int(msg.point_step), int(msg.row_step)
    if row_step < width * point_step:
        raise MalformedMessageError(POINTCLOUD2, "row_step", f"{row_step} < width×point_step = {width * point_step}")
    data = np.frombuffer(msg.data, dtype=np.uint8)
    if data.size < row_step * height:
        raise MalformedMessageError(
            POINTCLOUD2, "data", f"{data.size} bytes, expected row_step×height = {row_step * height}"
        )
    rows = data[: row_step * height].reshape(height, row_step)[:, : width * point_step]
    return np.ascontiguousarray(rows).reshape(-1).view(dtype)


def pointcloud_to_xyz(msg: Any, skip_nans: bool = True, fields: tuple[str, str, str] = ("x", "y", "z")) -> np.ndarray:
    """(N, 3) float32 points; points with a NaN/inf coordinate are removed unless ``skip_nans`` is False."""
    points = pointcloud_to_structured(msg)
    missing = [name for name in fields if name not in points.dtype.names]
    if missing:
        raise MalformedMessageError(
            POINTCLOUD2, "fields", f"no field(s) {missing}; fields are {list(points.dtype.names)}"
        )
    xyz = np.stack([points[name].astype(np.float32) for name in fields], axis=1)
    if skip_nans:
        xyz = xyz[np.isfinite(xyz).all(axis=1)]
    return xyz


def xyz_to_pointcloud(points: np.ndarray, frame_id: str, stamp_ns: int, intensity: np.ndarray | None = None) -> Any:
    """A dense, unorganised float32 x/y/z[/intensity] cloud (point_step 12 or 16)."""
    points = np.asarray(points, dtype=np.float32).reshape(-1, 3)
    names = ["x", "y", "z"] + (["intensity"] if intensity is not None else [])
    packed = np.empty(len(points), dtype=np.dtype({"names": names, "formats": [np.float32] * len(names)}))
    packed["x"], packed["y"], packed["z"] = points[:, 0], points[:, 1], points[:, 2]
    if intensity is not None:
        packed["intensity"] = np.asarray(intensity, dtype=np.float32).reshape(-1)
    step = packed.dtype.itemsize
    fields = [new_message(POINT_FIELD, name=n, offset=4 * i, datatype=FLOAT32, count=1) for i, n in enumerate(names)]
    return new_message(
        POINTCLOUD2,
        header=header(frame_id, stamp_ns),
        height=1,
        width=len(points),
        fields=fields,
        is_bigendian=False,
        point_step=step,
        row_step=step * len(points),
        data=packed.view(np.uint8),
        is_dense=bool(np.isfinite(points).all()),
    )
