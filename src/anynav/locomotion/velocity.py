"""`velocity` mode: shapes commands for a robot's own walking API (Go2 Move, H1 SetVelocity, Booster Move).

When the robot walks with its vendor controller, anynav only streams velocities. This core clamps
them to configured limits, limits acceleration per axis, and turns a stale, missing or non-finite
command into an immediate zero with ``stop=True`` so the bridge sends the robot's stop call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from anynav.locomotion.errors import ControllerConfigError
from anynav.locomotion.state import VelocityCommand, too_old

MAX_STEP_S = 0.1  # a late tick may not turn into a large velocity jump


@dataclass(frozen=True)
class VelocityLimits:
    """Limits applied before a command reaches the robot.

    vx_range: (backward, forward) m/s; vy_max m/s and wz_max rad/s are symmetric.
    accel: (x, y, yaw) m/s², m/s², rad/s² — the largest change per second on each axis.
    command_ttl_s: a command older than this stops the robot.
    """

    vx_range: tuple[float, float] = (-0.3, 0.8)
    vy_max: float = 0.3
    wz_max: float = 1.0
    accel: tuple[float, float, float] = (1.0, 1.0, 2.0)
    command_ttl_s: float = 0.5

    def __post_init__(self) -> None:
        vx = self.vx_range
        if not (
            isinstance(vx, tuple)
            and len(vx) == 2
            and all(_finite(v) for v in vx)
            and -5.0 <= vx[0] <= 0.0 <= vx[1] <= 5.0
        ):
            raise ControllerConfigError(f"VelocityLimits.vx_range={vx!r}: expected (low <= 0, high >= 0) in ±5 m/s")
        for name, top in (("vy_max", 5.0), ("wz_max", 10.0)):
            value = getattr(self, name)
            if not _finite(value) or not 0.0 <= value <= top:
                raise ControllerConfigError(f"VelocityLimits.{name}={value!r}: expected a number in [0, {top}]")
        if not _finite(self.command_ttl_s) or not 0.0 < self.command_ttl_s <= 10.0:
            raise ControllerConfigError(
                f"VelocityLimits.command_ttl_s={self.command_ttl_s!r}: expected a number in (0, 10]"
            )
        accel = self.accel
        if not (isinstance(accel, tuple) and len(accel) == 3 and all(_finite(a) and 0 < a <= 50 for a in accel)):
            raise ControllerConfigError(f"VelocityLimits.accel={accel!r}: expected 3 numbers in (0, 50]")


def _finite(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


@dataclass(frozen=True)
class ShapedVelocity:
    """The velocity to send now; `stop` asks the bridge for the robot's stop call instead of a move."""

    vx: float
    vy: float
    wz: float
    stop: bool
    reason: str = ""


class VelocityShaper:
    """Clamp → acceleration limit → TTL, evaluated once per send period."""

    def __init__(self, limits: VelocityLimits) -> None:
        self.limits = limits
        self._low = np.array((limits.vx_range[0], -limits.vy_max, -limits.wz_max))
        self._high = np.array((limits.vx_range[1], limits.vy_max, limits.wz_max))
        self._accel = np.array(limits.accel)
        self.reset()

    def reset(self) -> None:
        """Forget the current velocity (the next command ramps up from standstill)."""
        self._velocity = np.zeros(3)
        self._last_ns: int | None = None

    def update(self, now_ns: int, command: VelocityCommand | None) -> ShapedVelocity:
        """The velocity for the send at `now_ns`, given the latest command received."""
        if command is None:
            return self._stop(now_ns, "no velocity command yet")
        problem = self._problem(now_ns, command)
        if problem is not None:
            return self._stop(now_ns, problem)
        target = np.clip(command.as_array(), self._low, self._high)
        dt = 0.0 if self._last_ns is None else min(max((now_ns - self._last_ns) / 1e9, 0.0), MAX_STEP_S)
        step = self._accel * dt
        self._velocity = self._velocity + np.clip(target - self._velocity, -step, step)
        self._last_ns = now_ns
        vx, vy, wz = (float(v) for v in self._velocity)
        return ShapedVelocity(vx, vy, wz, stop=False)

    def _stop(self, now_ns: int, reason: str) -> ShapedVelocity:
        self._velocity = np.zeros(3)
        self._last_ns = now_ns
        return ShapedVelocity(0.0, 0.0, 0.0, stop=True, reason=reason)

    def _problem(self, now_ns: int, command: VelocityCommand) -> str | None:
        if not np.isfinite(command.as_array()).all():
            return "velocity command has NaN/inf"
        return too_old("command", now_ns, command.stamp_ns, self.limits.command_ttl_s)
