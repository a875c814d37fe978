"""The rclpy backend: rclpy itself, plus the few adapters anynav's node code relies on."""

from __future__ import annotations

import array
import importlib
from typing import Any

import numpy as np

from anynav.ros.errors import ParameterError
from anynav.ros.params import RUNTIME_PARAMETERS

_TYPECODES = {
    np.dtype(np.float32): "f",
    np.dtype(np.float64): "d",
    np.dtype(np.int8): "b",
    np.dtype(np.uint8): "B",
    np.dtype(np.int16): "h",
    np.dtype(np.uint16): "H",
    np.dtype(np.int32): "i",
    np.dtype(np.uint32): "I",
    np.dtype(np.int64): "q",
    np.dtype(np.uint64): "Q",
}


def rclpy_message_class(msgtype: str) -> type:
    pkg, kind, name = msgtype.split("/")
    return getattr(importlib.import_module(f"{pkg}.{kind}"), name)


def rclpy_new_message(msgtype: str, fields: dict[str, Any]) -> Any:
    msg = rclpy_message_class(msgtype)()
    slot_types = msg.get_fields_and_field_types()
    for name, value in fields.items():
        if name not in slot_types:
            raise TypeError(f"{msgtype} has no field {name!r}; fields are {list(slot_types)}")
        setattr(msg, name, _rclpy_value(slot_types[name], value))
    return msg


def _element_type(slot_type: str) -> str:
    """'sequence<pkg/Name, 5>' or 'pkg/Name[20]' → 'pkg/Name' (the type of one element)."""
    inner = slot_type[len("sequence<") : -1] if slot_type.startswith("sequence<") else slot_type
    return inner.split(",")[0].split("[")[0].strip()


def _rclpy_value(slot_type: str, value: Any) -> Any:
    if isinstance(value, dict):
        pkg, name = _element_type(slot_type).split("/")
        return rclpy_new_message(f"{pkg}/msg/{name}", value)
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return [_rclpy_value(_element_type(slot_type), v) for v in value]
    if isinstance(value, np.ndarray) and slot_type.startswith("sequence<") and value.dtype in _TYPECODES:
        return array.array(_TYPECODES[value.dtype], np.ascontiguousarray(value).tobytes())
    if isinstance(value, (bytes, bytearray)) and slot_type.startswith("sequence<uint8"):
        return array.array("B", value)
    return value


def check_parameters(node: Any) -> None:
    """rclpy accepts any key in a params file; anynav refuses keys a node never declared."""
    declared = set(node._parameters)  # noqa: SLF001 - rclpy keeps no public view of overrides
    unknown = sorted(set(node._parameter_overrides) - declared - set(RUNTIME_PARAMETERS))  # noqa: SLF001
    if unknown:
        raise ParameterError(
            f"node {node.get_fully_qualified_name()!r}: unknown parameter(s) {unknown}; it accepts: {sorted(declared)}"
        )
