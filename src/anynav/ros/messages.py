"""Message classes and construction that work the same on both backends."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from rosbags.typesys.base import Nodetype

from anynav.msgs.typestore import require_type, typestore
from anynav.ros.backend import backend_name

NUMPY_DTYPES: dict[str, type] = {
    "bool": np.bool_,
    "byte": np.uint8,
    "char": np.uint8,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
    "float32": np.float32,
    "float64": np.float64,
}


def message_class(msgtype: str) -> type:
    """The class the active backend uses for ``msgtype`` ('pkg/msg/Name')."""
    if backend_name() == "rclpy":
        from anynav.ros.rclpy_backend import rclpy_message_class

        return rclpy_message_class(msgtype)
    require_type(msgtype)
    return typestore().types[msgtype]


def new_message(msgtype: str, **fields: Any) -> Any:
    """A ``msgtype`` message with the given fields; every other field is zero, empty or default.

    Nested messages may be given as messages or as dicts; numeric arrays as anything numpy
    accepts.
    """
    if backend_name() == "rclpy":
        from anynav.ros.rclpy_backend import rclpy_new_message

        return rclpy_new_message(msgtype, fields)
    return _new_rosbags_message(msgtype, fields)


def field_types(msgtype: str) -> list[tuple[str, tuple]]:
    """(name, rosbags field description) for each field of ``msgtype``."""
    return list(_field_defs(msgtype).items())


@functools.cache
def _field_defs(msgtype: str) -> dict[str, tuple]:
    """Field name → rosbags description; cached, as messages are built on every publish."""
    require_type(msgtype)
    return dict(typestore().fielddefs[msgtype][1])


def _new_rosbags_message(msgtype: str, fields: dict[str, Any]) -> Any:
    defs = _field_defs(msgtype)
    unknown = fields.keys() - defs.keys()
    if unknown:
        raise TypeError(f"{msgtype} has no field(s) {sorted(unknown)}; fields are {list(defs)}")
    values = {name: _value(desc, fields[name]) if name in fields else _default(desc) for name, desc in defs.items()}
    return typestore().types[msgtype](**values)


def _value(desc: tuple, value: Any) -> Any:
    kind, info = desc
    if kind == Nodetype.NAME:
        return _new_rosbags_message(info, value) if isinstance(value, dict) else value
    if kind == Nodetype.BASE:
        return value
    (subkind, subinfo), _size = info
    if subkind == Nodetype.BASE and subinfo[0] in NUMPY_DTYPES:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return np.frombuffer(value, dtype=NUMPY_DTYPES[subinfo[0]]).copy()
        return np.asarray(value, dtype=NUMPY_DTYPES[subinfo[0]])
    if subkind == Nodetype.NAME:
        return [_new_rosbags_message(subinfo, v) if isinstance(v, dict) else v for v in value]
    return list(value)


def _default(desc: tuple) -> Any:
    kind, info = desc
    if kind == Nodetype.BASE:
        return _base_default(info[0])
    if kind == Nodetype.NAME:
        return _new_rosbags_message(info, {})
    (subkind, subinfo), size = info
    if kind == Nodetype.ARRAY:
        if subkind == Nodetype.BASE and subinfo[0] in NUMPY_DTYPES:
            return np.zeros(size, dtype=NUMPY_DTYPES[subinfo[0]])
        return [_default((subkind, subinfo)) for _ in range(size)]
    if subkind == Nodetype.BASE and subinfo[0] in NUMPY_DTYPES:
        return np.zeros(0, dtype=NUMPY_DTYPES[subinfo[0]])
    return []


@functools.cache
def _base_default(typename: str) -> Any:
    if typename in ("string", "wstring"):
        return ""
    if typename == "bool":
        return False
    if typename in ("float32", "float64"):
        return 0.0
    return 0


def message_to_dict(msg: Any, msgtype: str, truncate_length: int | None = None) -> dict[str, Any]:
    """Plain Python values (for YAML printing), arrays and strings cut at ``truncate_length``."""
    out: dict[str, Any] = {}
    for name, desc in field_types(msgtype):
        out[name] = _plain(getattr(msg, name), desc, truncate_length)
    return out


def _plain(value: Any, desc: tuple, truncate_length: int | None) -> Any:
    kind, info = desc
    if kind == Nodetype.NAME:
        return message_to_dict(value, info, truncate_length)
    if kind == Nodetype.BASE:
        if isinstance(value, str) and truncate_length is not None and len(value) > truncate_length:
            return value[:truncate_length] + "..."
        return value.item() if isinstance(value, np.generic) else value
    sub, _size = info
    items = list(value[:truncate_length] if truncate_length is not None else value)
    plain = [_plain(v, sub, truncate_length) for v in items]
    if truncate_length is not None and len(value) > truncate_length:
        plain.append("...")
    return plain
