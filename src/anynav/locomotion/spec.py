"""Per-robot locomotion policy spec: observation terms and order, history, action scale, joints and PD gains.

A spec is the contract between a trained policy and the robot: which numbers go into the
network in which order, how its output becomes joint targets, and how policy joints map to
SDK motor slots. It is loaded from ``config/locomotion/<policy>.yaml`` and checked strictly:
an unknown key, term or joint field, or a size that does not add up, is an error naming it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from anynav.locomotion.errors import SpecError
from anynav.perception.heightmap import LAYOUTS

VECTOR_TERMS = ("base_lin_vel", "base_ang_vel", "base_rpy", "projected_gravity", "velocity_commands")
JOINT_TERMS = ("joint_pos_rel", "joint_vel_rel", "last_action")
HEIGHT_MAP_TERM = "height_map"
TERM_NAMES = (*VECTOR_TERMS, *JOINT_TERMS, HEIGHT_MAP_TERM)

KP_RANGE = (0.0, 500.0)
KD_RANGE = (0.0, 50.0)
JOINT_LIMIT_RAD = 4.0 * math.pi


def _number(name: str, value: object, low: float, high: float, *, open_low: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SpecError(name, f"{value!r} is not a finite number")
    if not (low < value if open_low else low <= value) or not value <= high:
        bracket = "(" if open_low else "["
        raise SpecError(name, f"{value!r} outside {bracket}{low}, {high}]")
    return float(value)


def _integer(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SpecError(name, f"{value!r}: expected an integer in [{low}, {high}]")
    return value


def _interval(name: str, value: object, bound: float) -> tuple[float, float]:
    if not isinstance(value, tuple) or len(value) != 2:
        raise SpecError(name, f"{value!r}: expected [low, high]")
    low = _number(name, value[0], -bound, bound)
    high = _number(name, value[1], -bound, bound)
    if low > high:
        raise SpecError(name, f"low {low} > high {high}")
    return low, high


def term_size(name: str, layout: object, joints: int) -> int:
    """How many values term `name` has for a policy with `joints` joints and height-map `layout`."""
    if name in VECTOR_TERMS:
        return 3
    if name in JOINT_TERMS:
        return joints
    if not isinstance(layout, str) or layout not in LAYOUTS:
        raise SpecError("height_map", f"{layout!r}: the height_map term needs one of {sorted(LAYOUTS)}")
    return LAYOUTS[layout].size


@dataclass(frozen=True)
class TermSpec:
    """One observation term: `size` values, clipped to `clip` then multiplied by `scale` (Isaac Lab order)."""

    name: str
    size: int
    scale: float = 1.0
    clip: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.name not in TERM_NAMES:
            raise SpecError("name", f"unknown term {self.name!r}; known terms: {', '.join(TERM_NAMES)}")
        _integer("size", self.size, 1, 10_000)
        _number("scale", self.scale, -1e3, 1e3)
        if self.scale == 0:
            raise SpecError("scale", "0 would erase the term")
        if self.clip is not None:
            low, high = _interval("clip", self.clip, 1e6)
            if low == high:
                raise SpecError("clip", f"empty interval [{low}, {high}]")


@dataclass(frozen=True)
class HistorySpec:
    """`length` past copies of the concatenated `terms`, oldest first, appended after all terms."""

    length: int = 0
    terms: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _integer("length", self.length, 0, 100)
        if (self.length == 0) != (not self.terms):
            raise SpecError("terms", "history needs both a length > 0 and at least one term, or neither")
        if len(set(self.terms)) != len(self.terms):
            raise SpecError("terms", f"duplicate term in {list(self.terms)}")


@dataclass(frozen=True)
class ActionSpec:
    """Network output: `size` values, clipped to ±`clip` (if set), target q = default + scale·action."""

    size: int
    scale: float
    clip: float | None = None

    def __post_init__(self) -> None:
        _integer("size", self.size, 1, 64)
        _number("scale", self.scale, 0.0, 10.0, open_low=True)
        if self.clip is not None:
            _number("clip", self.clip, 0.0, 1e3, open_low=True)


@dataclass(frozen=True)
class CommandRanges:
    """Velocity command range the policy was trained on; commands are clamped into it."""

    vx: tuple[float, float]
    vy: tuple[float, float]
    wz: tuple[float, float]

    def __post_init__(self) -> None:
        for axis in ("vx", "vy", "wz"):
            low, high = _interval(axis, getattr(self, axis), 5.0)
            if not low <= 0.0 <= high:
                raise SpecError(axis, f"[{low}, {high}] must contain 0 so that a stop is expressible")


@dataclass(frozen=True)
class JointSpec:
    """One policy joint: its SDK motor slot, default angle, PD gains and the limits targets are clipped to."""

    name: str
    sdk_index: int
    default: float
    kp: float
    kd: float
    lower: float
    upper: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise SpecError("name", f"{self.name!r}: expected a non-empty string")
        _integer("sdk_index", self.sdk_index, 0, 63)
        _number("kp", self.kp, *KP_RANGE)
        _number("kd", self.kd, *KD_RANGE)
        _number("lower", self.lower, -JOINT_LIMIT_RAD, JOINT_LIMIT_RAD)
        _number("upper", self.upper, -JOINT_LIMIT_RAD, JOINT_LIMIT_RAD)
        if self.lower >= self.upper:
            raise SpecError("upper", f"{self.upper} is not above lower {self.lower}")
        _number("default", self.default, self.lower, self.upper)


@dataclass(frozen=True)
class LocomotionSpec:
    """The whole policy contract; cross-field checks (joint count, SDK slots, sizes) live here."""

    robot: str
    rate_hz: float
    sdk_motor_count: int
    observation_size: int
    terms: tuple[TermSpec, ...]
    history: HistorySpec
    action: ActionSpec
    commands: CommandRanges
    joints: tuple[JointSpec, ...]
    height_map: str | None = None
    source: str = "<memory>"
    slices: dict[str, slice] = field(init=False, repr=False, compare=False)
    history_slice: slice = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            self._check()
        except SpecError as exc:
            raise exc.at("", self.source) from None

    def _check(self) -> None:
        if not isinstance(self.robot, str) or not self.robot:
            raise SpecError("robot", f"{self.robot!r}: expected a non-empty name")
        _number("rate_hz", self.rate_hz, 0.0, 1000.0, open_low=True)
        _integer("sdk_motor_count", self.sdk_motor_count, 1, 64)
        if len(self.joints) != self.action.size:
            raise SpecError("joints", f"{len(self.joints)} joints listed but action.size is {self.action.size}")
        self._check_joints()
        self._check_terms()
        offset, slices = 0, {}
        for term in self.terms:
            slices[term.name] = slice(offset, offset + term.size)
            offset += term.size
        block = sum(slices[name].stop - slices[name].start for name in self.history.terms)
        history = slice(offset, offset + block * self.history.length)
        if history.stop != self.observation_size:
            parts = " + ".join(f"{t.name} {t.size}" for t in self.terms)
            if self.history.length:
                parts += f" + history {self.history.length}×{block}"
            raise SpecError(
                "observation.size", f"{self.observation_size} but the terms add up to {history.stop} ({parts})"
            )
        object.__setattr__(self, "slices", slices)
        object.__setattr__(self, "history_slice", history)

    def _check_joints(self) -> None:
        names: set[str] = set()
        slots: dict[int, str] = {}
        for i, joint in enumerate(self.joints):
            if joint.name in names:
                raise SpecError(f"joints[{i}].name", f"{joint.name!r} is listed twice")
            if joint.sdk_index >= self.sdk_motor_count:
                raise SpecError(
                    f"joints[{i}].sdk_index",
                    f"{joint.sdk_index} ({joint.name}) outside [0, {self.sdk_motor_count - 1}] (sdk_motor_count)",
                )
            if joint.sdk_index in slots:
                raise SpecError(
                    f"joints[{i}].sdk_index",
                    f"{joint.sdk_index} ({joint.name}) is already used by {slots[joint.sdk_index]}",
                )
            names.add(joint.name)
            slots[joint.sdk_index] = joint.name

    def _check_terms(self) -> None:
        seen: set[str] = set()
        for i, term in enumerate(self.terms):
            if term.name in seen:
                raise SpecError(f"observation.terms[{i}].name", f"{term.name!r} is listed twice")
            seen.add(term.name)
        if self.height_map is not None and HEIGHT_MAP_TERM not in seen:
            raise SpecError("height_map", f"layout {self.height_map!r} set but no height_map observation term")
        for i, term in enumerate(self.terms):
            expected = term_size(term.name, self.height_map, len(self.joints))
            if term.size != expected:
                raise SpecError(f"observation.terms[{i}].size", f"{term.name} has {expected} values, not {term.size}")
        for name in self.history.terms:
            if name not in seen:
                raise SpecError("observation.history.terms", f"{name!r} is not one of the observation terms")

    def term(self, name: str) -> TermSpec | None:
        """The term called `name`, or None when the policy does not read it."""
        return next((term for term in self.terms if term.name == name), None)


def _mapping(value: object, where: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SpecError(where or "<top level>", f"expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise SpecError(f"{where}.{unknown[0]}" if where else unknown[0], f"unknown key; known keys: {', '.join(keys)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise SpecError(f"{where}.{missing[0]}" if where else missing[0], "missing")
    return value


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _build(cls: type, where: str, kwargs: dict[str, Any]) -> Any:
    try:
        return cls(**{key: _tuple(value) for key, value in kwargs.items()})
    except SpecError as exc:
        raise exc.at(where) from None


def spec_from_dict(data: object, source: str = "<memory>") -> LocomotionSpec:
    """Build and validate a spec from the YAML document's data; errors name `source` and the field."""
    try:
        return _spec_from_dict(data, source)
    except SpecError as exc:
        raise exc.at("", source) from None


def _spec_from_dict(data: object, source: str) -> LocomotionSpec:
    top = _mapping(
        data,
        "",
        ("robot", "rate_hz", "sdk_motor_count", "height_map", "observation", "commands", "action", "joints"),
        ("robot", "rate_hz", "sdk_motor_count", "observation", "commands", "action", "joints"),
    )
    observation = _mapping(top["observation"], "observation", ("size", "terms", "history"), ("size", "terms"))
    raw_terms = observation["terms"]
    if not isinstance(raw_terms, list) or not raw_terms:
        raise SpecError("observation.terms", "expected a non-empty list")
    joints_raw = top["joints"]
    if not isinstance(joints_raw, list) or not joints_raw:
        raise SpecError("joints", "expected a non-empty list")
    joint_fields = ("name", "sdk_index", "default", "kp", "kd", "lower", "upper")
    joints = tuple(
        _build(JointSpec, f"joints[{i}]", _mapping(raw, f"joints[{i}]", joint_fields, joint_fields))
        for i, raw in enumerate(joints_raw)
    )
    layout = top.get("height_map")
    terms = []
    for i, raw in enumerate(raw_terms):
        where = f"observation.terms[{i}]"
        entry = (
            {"name": raw}
            if isinstance(raw, str)
            else _mapping(raw, where, ("name", "size", "scale", "clip"), ("name",))
        )
        name = entry["name"]
        if name not in TERM_NAMES:
            raise SpecError(f"{where}.name", f"unknown term {name!r}; known terms: {', '.join(TERM_NAMES)}")
        if "size" not in entry:
            entry = {**entry, "size": term_size(name, layout, len(joints))}
        terms.append(_build(TermSpec, where, entry))
    history_raw = _mapping(observation.get("history", {}), "observation.history", ("length", "terms"), ())
    return LocomotionSpec(
        robot=top["robot"],
        rate_hz=top["rate_hz"],
        sdk_motor_count=top["sdk_motor_count"],
        observation_size=top["observation"]["size"],
        terms=tuple(terms),
        history=_build(HistorySpec, "observation.history", history_raw),
        action=_build(
            ActionSpec, "action", _mapping(top["action"], "action", ("size", "scale", "clip"), ("size", "scale"))
        ),
        commands=_build(
            CommandRanges, "commands", _mapping(top["commands"], "commands", ("vx", "vy", "wz"), ("vx", "vy", "wz"))
        ),
        joints=joints,
        height_map=layout,
        source=source,
    )


def load_spec(path: str | Path) -> LocomotionSpec:
    """Read and validate ``config/locomotion/<policy>.yaml``."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise SpecError("<file>", f"cannot read: {exc.strerror}", str(path)) from exc
    except yaml.YAMLError as exc:
        raise SpecError("<file>", f"not valid YAML: {exc}", str(path)) from exc
    return spec_from_dict(data, str(path))
