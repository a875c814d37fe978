"""Parameters as rclpy declares them, ROS 2 params files, and `--ros-args` parsing."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from anynav.ros.errors import ParameterError, ParamsFileError

# Parameters every node accepts without declaring them (they configure the runtime, not the node).
RUNTIME_PARAMETERS = ("use_sim_time", "network_interface")


@dataclass
class FloatingPointRange:
    from_value: float = 0.0
    to_value: float = 0.0
    step: float = 0.0


@dataclass
class IntegerRange:
    from_value: int = 0
    to_value: int = 0
    step: int = 0


@dataclass
class ParameterDescriptor:
    """rcl_interfaces/msg/ParameterDescriptor's fields that nodes set."""

    name: str = ""
    type: int = 0
    description: str = ""
    additional_constraints: str = ""
    read_only: bool = False
    dynamic_typing: bool = False
    floating_point_range: list[FloatingPointRange] = field(default_factory=list)
    integer_range: list[IntegerRange] = field(default_factory=list)


class ParameterType(enum.IntEnum):
    """rcl_interfaces/msg/ParameterType values."""

    NOT_SET = 0
    BOOL = 1
    INTEGER = 2
    DOUBLE = 3
    STRING = 4
    BYTE_ARRAY = 5
    BOOL_ARRAY = 6
    INTEGER_ARRAY = 7
    DOUBLE_ARRAY = 8
    STRING_ARRAY = 9


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    type_: ParameterType = ParameterType.NOT_SET


def type_of(value: Any) -> ParameterType:
    """The ParameterType rclpy infers from a Python value; ValueError for anything else."""
    if value is None:
        return ParameterType.NOT_SET
    if isinstance(value, bool):
        return ParameterType.BOOL
    if isinstance(value, int):
        return ParameterType.INTEGER
    if isinstance(value, float):
        return ParameterType.DOUBLE
    if isinstance(value, str):
        return ParameterType.STRING
    if isinstance(value, (bytes, bytearray)):
        return ParameterType.BYTE_ARRAY
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, bool) for v in value) and value:
            return ParameterType.BOOL_ARRAY
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value) and value:
            return ParameterType.INTEGER_ARRAY
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and value:
            return ParameterType.DOUBLE_ARRAY
        if all(isinstance(v, str) for v in value):
            return ParameterType.STRING_ARRAY
    raise ValueError(f"{value!r} is not a valid parameter value (bool, int, float, str or a list of one of them)")


def coerce(value: Any, expected: ParameterType) -> Any:
    """``value`` as ``expected``; ints are accepted where doubles are (YAML writes 1 for 1.0).

    Raises ValueError when the types do not fit.
    """
    actual = type_of(value)
    if actual == expected or expected == ParameterType.NOT_SET:
        return list(value) if isinstance(value, tuple) else value
    if expected == ParameterType.DOUBLE and actual == ParameterType.INTEGER:
        return float(value)
    if expected == ParameterType.DOUBLE_ARRAY and actual == ParameterType.INTEGER_ARRAY:
        return [float(v) for v in value]
    if (
        isinstance(value, (list, tuple))
        and not value
        and expected
        in (
            ParameterType.BOOL_ARRAY,
            ParameterType.INTEGER_ARRAY,
            ParameterType.DOUBLE_ARRAY,
            ParameterType.STRING_ARRAY,
        )
    ):
        return []
    raise ValueError(f"expected {expected.name.lower()}, got {actual.name.lower()} {value!r}")


def describe_range(descriptor: ParameterDescriptor) -> str:
    if descriptor.floating_point_range:
        r = descriptor.floating_point_range[0]
        return f"[{r.from_value}, {r.to_value}]" + (f" step {r.step}" if r.step else "")
    if descriptor.integer_range:
        r = descriptor.integer_range[0]
        return f"[{r.from_value}, {r.to_value}]" + (f" step {r.step}" if r.step else "")
    return ""


def check_range(value: Any, descriptor: ParameterDescriptor) -> str | None:
    """Why ``value`` is outside the descriptor's range (inclusive, as rclpy), or None if inside."""
    values = value if isinstance(value, list) else [value]
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        if (
            isinstance(v, float)
            and not math.isfinite(v)
            and (descriptor.floating_point_range or descriptor.integer_range)
        ):
            return f"{v} is not finite; allowed range {describe_range(descriptor)}"
        for r in descriptor.floating_point_range:
            if not (r.from_value - 1e-9 <= v <= r.to_value + 1e-9):
                return f"{v} is outside the allowed range {describe_range(descriptor)}"
            if r.step and abs((v - r.from_value) / r.step - round((v - r.from_value) / r.step)) > 1e-6:
                return f"{v} is not on the step grid of {describe_range(descriptor)}"
        for r in descriptor.integer_range:
            if not (r.from_value <= v <= r.to_value):
                return f"{v} is outside the allowed range {describe_range(descriptor)}"
            if r.step and (v - r.from_value) % r.step:
                return f"{v} is not on the step grid of {describe_range(descriptor)}"
    return None


@dataclass(frozen=True)
class Override:
    """A parameter value given from outside the node, and where it came from (for error messages)."""

    value: Any
    source: str
    wildcard: bool = False


def _flatten(prefix: str, tree: dict, source: str, out: dict[str, Override]) -> None:
    for key, value in tree.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            _flatten(name, value, source, out)
        else:
            out[name] = Override(value, source)


def load_params_file(path: str | Path) -> dict[str, dict[str, Override]]:
    """Node pattern ('/**', 'name', '/ns/name') → parameter name → Override, from a ROS 2 params file."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ParamsFileError(f"cannot read params file {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ParamsFileError(f"params file {path} is not valid YAML: {exc}") from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ParamsFileError(f"params file {path}: top level must map node names to 'ros__parameters'")
    nodes: dict[str, dict[str, Override]] = {}
    for node_key, body in document.items():
        if not isinstance(body, dict) or set(body) != {"ros__parameters"}:
            raise ParamsFileError(
                f"params file {path}: node {node_key!r} must hold exactly one key 'ros__parameters' "
                f"(got {sorted(body) if isinstance(body, dict) else type(body).__name__})"
            )
        params = body["ros__parameters"] or {}
        if not isinstance(params, dict):
            raise ParamsFileError(f"params file {path}: {node_key}.ros__parameters must be a mapping")
        flat: dict[str, Override] = {}
        _flatten("", params, str(path), flat)
        nodes[str(node_key)] = flat
    return nodes


def node_matches(pattern: str, fqn: str) -> bool:
    """Params-file node keys: '/**' for all, a bare name, or a fully qualified name."""
    if pattern in ("/**", "**"):
        return True
    if pattern.startswith("/**/"):
        return fqn.rsplit("/", 1)[-1] == pattern[4:]
    if pattern.startswith("/"):
        return pattern == fqn
    return fqn.rsplit("/", 1)[-1] == pattern or fqn == "/" + pattern


@dataclass
class RosArgs:
    """What `--ros-args` carries: params files, `-p name:=value`, remaps (incl. __node, __ns)."""

    params_files: list[str] = field(default_factory=list)
    params: dict[str, Override] = field(default_factory=dict)
    remaps: dict[str, str] = field(default_factory=dict)
    node_name: str | None = None
    namespace: str | None = None
    log_level: str | None = None

    def overrides_for(self, fqn: str) -> dict[str, Override]:
        merged: dict[str, Override] = {}
        for path in self.params_files:
            for pattern, values in load_params_file(path).items():
                if node_matches(pattern, fqn):
                    wildcard = pattern.lstrip("/").startswith("**")
                    merged.update({k: replace(v, wildcard=wildcard) for k, v in values.items()})
        merged.update(self.params)
        return merged


def parse_ros_args(argv: list[str]) -> tuple[RosArgs, list[str]]:
    """Split argv into the `--ros-args ... [--]` part (parsed) and the remaining user arguments."""
    ros = RosArgs()
    rest: list[str] = []
    i = 0
    inside = False
    while i < len(argv):
        arg = argv[i]
        if arg == "--ros-args":
            inside = True
        elif inside and arg == "--":
            inside = False
        elif inside and arg == "--log-level":
            if i + 1 >= len(argv):
                raise ParameterError("--ros-args: --log-level needs a value")
            ros.log_level = argv[i + 1].lower()
            i += 1
        elif inside and arg in ("--params-file", "-p", "--param", "-r", "--remap"):
            if i + 1 >= len(argv):
                raise ParameterError(f"--ros-args: {arg} needs a value")
            value = argv[i + 1]
            i += 1
            if arg == "--params-file":
                ros.params_files.append(value)
            else:
                key, sep, val = value.partition(":=")
                if not sep or not key:
                    raise ParameterError(f"--ros-args {arg} {value!r}: expected name:=value")
                if arg in ("-p", "--param"):
                    ros.params[key] = Override(yaml.safe_load(val), "command line")
                elif key == "__node":
                    ros.node_name = val
                elif key == "__ns":
                    ros.namespace = val
                else:
                    ros.remaps[key] = val
        elif inside:
            raise ParameterError(
                f"--ros-args: unsupported argument {arg!r} (supported: --params-file, -p, -r, --log-level)"
            )
        else:
            rest.append(arg)
        i += 1
    return ros, rest
