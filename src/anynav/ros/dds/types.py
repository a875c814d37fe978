"""Cyclone DDS type declarations generated from the pinned ROS 2 message definitions.

The generated classes only declare the topic type (mangled name, field layout, XTypes
information) to Cyclone; payloads are serialized by rosbags, which produces the same
XCDR1 bytes and is an order of magnitude faster on large messages.
"""

from __future__ import annotations

import functools
from typing import Any

from cyclonedds.idl import IdlStruct, make_idl_struct
from cyclonedds.idl import types as idl
from rosbags.typesys.base import Nodetype

from anynav.msgs.typestore import require_type, typestore
from anynav.ros.naming import dds_type_name

_BASE_TYPES: dict[str, Any] = {
    "bool": bool,
    "byte": idl.uint8,
    "char": idl.uint8,
    "int8": idl.int8,
    "uint8": idl.uint8,
    "int16": idl.int16,
    "uint16": idl.uint16,
    "int32": idl.int32,
    "uint32": idl.uint32,
    "int64": idl.int64,
    "uint64": idl.uint64,
    "float32": idl.float32,
    "float64": idl.float64,
    "string": str,
}


@functools.cache
def idl_type(msgtype: str) -> type[IdlStruct]:
    """The final, keyless IdlStruct for ``msgtype`` named `pkg::msg::dds_::Name_`."""
    require_type(msgtype)
    fields = {name: _field_type(desc) for name, desc in typestore().fielddefs[msgtype][1]}
    return make_idl_struct(msgtype.replace("/", "_") + "_", dds_type_name(msgtype), fields)


def _field_type(desc: tuple) -> Any:
    kind, info = desc
    if kind == Nodetype.BASE:
        return _base(info)
    if kind == Nodetype.NAME:
        return idl_type(info)
    sub, size = info
    if kind == Nodetype.ARRAY:
        return idl.array[_field_type(sub), size]
    return idl.sequence[_field_type(sub), size] if size else idl.sequence[_field_type(sub)]


def _base(info: tuple) -> Any:
    name, bound = info
    if name == "string" and bound:
        return idl.bounded_str[bound]
    if name not in _BASE_TYPES:
        raise TypeError(f"ROS field type {name!r} is not supported by the dds backend")
    return _BASE_TYPES[name]
