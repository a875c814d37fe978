"""Parameter declarations with descriptions and ranges, shared by the vla and executor nodes."""

from __future__ import annotations

from typing import Any

from anynav.ros import FloatingPointRange, IntegerRange, ParameterDescriptor


def declare_float(node: Any, name: str, default: float, low: float, high: float, description: str) -> float:
    """Declare a double parameter limited to [low, high] and return its value."""
    descriptor = ParameterDescriptor(
        description=description, floating_point_range=[FloatingPointRange(from_value=low, to_value=high)]
    )
    return float(node.declare_parameter(name, float(default), descriptor).value)


def declare_int(node: Any, name: str, default: int, low: int, high: int, description: str) -> int:
    """Declare an integer parameter limited to [low, high] and return its value."""
    descriptor = ParameterDescriptor(
        description=description, integer_range=[IntegerRange(from_value=low, to_value=high)]
    )
    return int(node.declare_parameter(name, int(default), descriptor).value)


def declare_bool(node: Any, name: str, default: bool, description: str) -> bool:
    return bool(node.declare_parameter(name, bool(default), ParameterDescriptor(description=description)).value)


def declare_str(node: Any, name: str, default: str, description: str) -> str:
    return str(node.declare_parameter(name, default, ParameterDescriptor(description=description)).value)
