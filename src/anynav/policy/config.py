"""Validation helpers shared by the policy configuration dataclasses, and their dict round trip."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, TypeVar

from anynav.policy.errors import PolicyConfigError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

C = TypeVar("C")


def check_int(owner: str, name: str, value: object, low: int, high: int) -> None:
    """Reject a value that is not an int in [low, high], naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PolicyConfigError(f"{owner}.{name}={value!r}: expected an integer in [{low}, {high}]")


def check_float(owner: str, name: str, value: object, low: float, high: float) -> None:
    """Reject a value that is not a finite number in [low, high], naming the field."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise PolicyConfigError(f"{owner}.{name}={value!r}: expected a number in [{low}, {high}]")


def check_positive_ints(owner: str, name: str, values: object, length: int | None, high: int) -> None:
    """Reject anything but a tuple of ints in [1, high] (of the given length when set)."""
    if not isinstance(values, tuple) or (length is not None and len(values) != length) or not values:
        want = f"{length} integers" if length is not None else "a non-empty list of integers"
        raise PolicyConfigError(f"{owner}.{name}={values!r}: expected {want} in [1, {high}]")
    for value in values:
        check_int(owner, name, value, 1, high)


def check_floats(owner: str, name: str, values: object, length: int, low: float, high: float) -> None:
    """Reject anything but a tuple of `length` numbers in [low, high]."""
    if not isinstance(values, tuple) or len(values) != length:
        raise PolicyConfigError(f"{owner}.{name}={values!r}: expected {length} numbers in [{low}, {high}]")
    for value in values:
        check_float(owner, name, value, low, high)


def check_shared_fields(owner: str, config: Any) -> None:
    """Check the fields every policy config has, with the same ranges: context, ImageNet stats, trunk, waypoints."""
    check_int(owner, "context_frames", config.context_frames, 1, 64)
    check_float(owner, "context_spacing_s", config.context_spacing_s, 0.01, 10.0)
    check_floats(owner, "image_mean", config.image_mean, 3, 0.0, 1.0)
    check_floats(owner, "image_std", config.image_std, 3, 1e-3, 10.0)
    check_int(owner, "num_heads", config.num_heads, 1, 64)
    check_int(owner, "num_layers", config.num_layers, 1, 64)
    check_int(owner, "ff_dim_factor", config.ff_dim_factor, 1, 16)
    check_int(owner, "num_waypoints", config.num_waypoints, 1, 64)
    check_float(owner, "waypoint_dt_s", config.waypoint_dt_s, 0.01, 10.0)


def config_to_dict(config: object) -> dict[str, Any]:
    """A JSON-ready dict of a config dataclass (tuples become lists)."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(config):  # type: ignore[arg-type]
        value = getattr(config, field.name)
        out[field.name] = list(value) if isinstance(value, tuple) else value
    return out


def config_from_dict(cls: type[C], data: object, source: str) -> C:
    """Build a config dataclass from a dict; unknown keys are an error naming the key and `source`.

    Missing keys take the dataclass default, so a card written by an older anynav still loads
    as long as the new fields have defaults.
    """
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{source}: {cls.__name__} must be a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise PolicyConfigError(
            f"{source}: unknown key(s) {', '.join(unknown)} for {cls.__name__}; known: {', '.join(fields)}"
        )
    kwargs = {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
    return cls(**kwargs)
