"""The locomotion safety supervisor: a pure, time-driven decision of what the joints may do this tick.

Every input carries its own stamp and the supervisor is asked once per control period with the
current time, so any trip takes effect on the very next tick: within one period.

Damping trips (stale or non-finite state, tilt, NaN anywhere, e-stop) latch until `reset()`,
an operator action: a robot that fell or lost its state must not stand back up on its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from anynav.locomotion.errors import ControllerConfigError
from anynav.locomotion.state import (
    HeightMapSample,
    RobotState,
    VelocityCommand,
    quat_to_rpy,
    too_old,
)

MAP_FALLBACKS = ("blind", "stand")


class Mode(str, Enum):
    """What the joints do this tick."""

    DAMP = "damp"  # kp = 0, kd = damping gain
    STAND = "stand"  # PD to the default pose
    POLICY = "policy"  # the main policy
    BLIND = "blind"  # the blind fallback policy (main policy needs a height map that is stale)


@dataclass(frozen=True)
class SafetyConfig:
    """Limits and time-to-live values of the supervisor.

    command_ttl_s: a velocity command older than this is replaced by zero.
    state_ttl_s: a robot state older than this trips damping (LowState arrives at ~500 Hz).
    height_map_ttl_s: a height map older than this (or flagged stale) switches to `map_fallback`.
    max_tilt_rad: |roll| or |pitch| above this trips damping (NaVILA terminates at 0.8 rad).
    warmup_s: after start or reset the policy runs with a zero command this long (Go2 2 s, H1 4 s).
    damping_kd: kd of every motor in damping.
    map_fallback: ``blind`` (run the blind policy) or ``stand`` (hold the default pose).
    """

    command_ttl_s: float = 0.5
    state_ttl_s: float = 0.1
    height_map_ttl_s: float = 0.5
    max_tilt_rad: float = 0.8
    warmup_s: float = 2.0
    damping_kd: float = 2.0
    map_fallback: str = "blind"

    def __post_init__(self) -> None:
        ranges = {
            "command_ttl_s": (0.0, 10.0),
            "state_ttl_s": (0.0, 1.0),
            "height_map_ttl_s": (0.0, 5.0),
            "max_tilt_rad": (0.0, math.pi / 2),
            "damping_kd": (0.0, 50.0),
        }
        for name, (low, high) in ranges.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value <= high:
                raise ControllerConfigError(f"SafetyConfig.{name}={value!r}: expected a number in ({low}, {high}]")
        warmup = self.warmup_s
        if isinstance(warmup, bool) or not isinstance(warmup, (int, float)) or not 0.0 <= warmup <= 30.0:
            raise ControllerConfigError(f"SafetyConfig.warmup_s={warmup!r}: expected a number in [0, 30]")
        if self.map_fallback not in MAP_FALLBACKS:
            raise ControllerConfigError(
                f"SafetyConfig.map_fallback={self.map_fallback!r}: expected one of {', '.join(MAP_FALLBACKS)}"
            )


@dataclass(frozen=True)
class Verdict:
    """The supervisor's decision: the mode, the command the policy may see, and why."""

    mode: Mode
    command: np.ndarray
    reasons: tuple[str, ...] = ()
    latched: bool = False


class SafetySupervisor:
    """Decides each tick between damping, standing, the main policy and the blind fallback."""

    def __init__(self, config: SafetyConfig, needs_height_map: bool, has_blind_policy: bool) -> None:
        if needs_height_map and config.map_fallback == "blind" and not has_blind_policy:
            raise ControllerConfigError(
                "SafetyConfig.map_fallback='blind' but no blind policy was given; load one or use 'stand'"
            )
        self.config = config
        self.needs_height_map = needs_height_map
        self._started = False
        self._latched: tuple[str, ...] = ()
        self._warmup_until: int | None = None

    @property
    def latched(self) -> tuple[str, ...]:
        """Reasons of the latched damping trip (empty when none)."""
        return self._latched

    def start(self) -> None:
        """Arm the supervisor; the zero-command warm-up begins at the first healthy tick."""
        self._started = True
        self._warmup_until = None

    def reset(self) -> None:
        """Clear a latched trip (operator action) and run the warm-up again."""
        self._latched = ()
        self.start()

    def engage_estop(self, reason: str = "e-stop") -> Verdict:
        """Latch damping now."""
        return self.trip(reason)

    def trip(self, reason: str) -> Verdict:
        """Latch damping for `reason` (also used by the controller for a NaN observation or action)."""
        if reason not in self._latched:
            self._latched = (*self._latched, reason)
        return Verdict(Mode.DAMP, np.zeros(3), self._latched, latched=True)

    def check(
        self,
        now_ns: int,
        state: RobotState | None,
        command: VelocityCommand | None,
        height_map: HeightMapSample | None,
    ) -> Verdict:
        """The verdict for the tick at `now_ns` given the latest inputs the controller holds."""
        if self._latched:
            return Verdict(Mode.DAMP, np.zeros(3), self._latched, latched=True)
        if not self._started:
            return Verdict(Mode.DAMP, np.zeros(3), ("controller not started",))
        if state is None:
            return Verdict(Mode.DAMP, np.zeros(3), ("no robot state yet",))
        trip = self._damping_reason(now_ns, state, command, height_map)
        if trip is not None:
            return self.trip(trip)
        if self._warmup_until is None:
            self._warmup_until = now_ns + round(self.config.warmup_s * 1e9)
        reasons: list[str] = []
        mode = Mode.POLICY
        if self.needs_height_map:
            problem = self._height_map_problem(now_ns, height_map)
            if problem is not None:
                mode = Mode.BLIND if self.config.map_fallback == "blind" else Mode.STAND
                reasons.append(f"{problem}: {mode.value}")
        if now_ns < self._warmup_until:
            reasons.append("warm-up: zero command")
            return Verdict(mode, np.zeros(3), tuple(reasons))
        if command is None:
            reasons.append("no velocity command yet: zero command")
            return Verdict(mode, np.zeros(3), tuple(reasons))
        stale = too_old("command", now_ns, command.stamp_ns, self.config.command_ttl_s)
        if stale is not None:
            reasons.append(f"{stale}: zero command")
            return Verdict(mode, np.zeros(3), tuple(reasons))
        return Verdict(mode, command.as_array(), tuple(reasons))

    def _damping_reason(
        self,
        now_ns: int,
        state: RobotState,
        command: VelocityCommand | None,
        height_map: HeightMapSample | None,
    ) -> str | None:
        stale = too_old("robot state", now_ns, state.stamp_ns, self.config.state_ttl_s)
        if stale is not None:
            return stale
        if not state.is_finite():
            return "robot state has NaN/inf"
        roll, pitch, _ = quat_to_rpy(state.base_quat_wxyz)
        limit = self.config.max_tilt_rad
        if abs(roll) > limit or abs(pitch) > limit:
            return f"tilt roll {roll:.2f} / pitch {pitch:.2f} rad beyond {limit:.2f}"
        if command is not None and not np.isfinite(command.as_array()).all():
            return "velocity command has NaN/inf"
        if self.needs_height_map and height_map is not None and not np.isfinite(height_map.values).all():
            return "height map has NaN/inf"
        return None

    def _height_map_problem(self, now_ns: int, height_map: HeightMapSample | None) -> str | None:
        if height_map is None:
            return "no height map yet"
        if height_map.stale:
            return "height map flagged stale"
        return too_old("height map", now_ns, height_map.stamp_ns, self.config.height_map_ttl_s)
