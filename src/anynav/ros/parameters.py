"""Declaring node parameters in one line each: description and, for numbers, the allowed range."""

from __future__ import annotations

from typing import Any

from anynav.ros import FloatingPointRange, IntegerRange, ParameterDescriptor


def declare(
    node: Any, name: str, default: Any, description: str, low: float | None = None, high: float | None = None
) -> Any:
    """Declare ``name`` on ``node`` with ``[low, high]`` (inclusive, checked at start-up) and return its value."""
    descriptor = ParameterDescriptor(description=description)
    if low is not None and high is not None:
        if isinstance(default, int) and not isinstance(default, bool):
            descriptor.integer_range = [IntegerRange(from_value=int(low), to_value=int(high))]
        else:
            descriptor.floating_point_range = [FloatingPointRange(from_value=float(low), to_value=float(high))]
    node.declare_parameter(name, default, descriptor)
    return node.get_parameter(name).value


def choice(
    node: Any, name: str, default: str, choices: tuple[str, ...], description: str, error: type[Exception]
) -> str:
    """Declare a string parameter that must be one of ``choices``; ``error`` names it and the choices otherwise."""
    value = declare(node, name, default, f"{description} ({'|'.join(choices)})")
    if value not in choices:
        raise error(f"parameter {name}={value!r} must be one of {', '.join(choices)}")
    return str(value)
