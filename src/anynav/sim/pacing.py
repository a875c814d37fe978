"""Paces sim time against the wall clock at a real-time factor, falling behind gracefully when it cannot keep up."""

from __future__ import annotations

import math

__all__ = ["Pacer"]


class Pacer:
    """Says how many sim steps are due so sim time tracks ``real_time_factor`` x wall time.

    Sim time runs ``real_time_factor`` times as fast as the wall clock from :meth:`start`.
    When stepping is slower than that (a busy machine, a large camera), the lag is capped
    at ``max_lag_s`` of sim time: the schedule is moved back instead of the sim racing to
    catch up in a burst that its subscribers would see as a jump. ``rebases`` counts how
    often that happened.
    """

    def __init__(self, real_time_factor: float, step_s: float, max_lag_s: float = 0.5) -> None:
        if not (math.isfinite(real_time_factor) and real_time_factor > 0.0):
            raise ValueError(f"real_time_factor must be a positive number, got {real_time_factor!r}")
        if not (math.isfinite(step_s) and step_s > 0.0):
            raise ValueError(f"step_s must be a positive number of seconds, got {step_s!r}")
        if not (math.isfinite(max_lag_s) and max_lag_s >= step_s):
            raise ValueError(f"max_lag_s must be at least step_s={step_s}, got {max_lag_s!r}")
        self.real_time_factor = real_time_factor
        self.step_s = step_s
        self.max_lag_s = max_lag_s
        self.rebases = 0
        self._wall0 = 0.0
        self._sim0 = 0.0
        self._mark: tuple[float, float] = (0.0, 0.0)

    def start(self, wall_s: float, sim_s: float) -> None:
        """Anchor the schedule: sim time ``sim_s`` is now, at wall time ``wall_s``."""
        self._wall0, self._sim0 = wall_s, sim_s
        self._mark = (wall_s, sim_s)

    def steps_due(self, wall_s: float, sim_s: float) -> int:
        """Steps to take now, sim time being ``sim_s`` at wall time ``wall_s`` (at most max_lag_s worth)."""
        target = self._sim0 + (wall_s - self._wall0) * self.real_time_factor
        lag = target - sim_s
        if lag > self.max_lag_s:
            self.rebases += 1
            self._wall0, self._sim0 = wall_s, sim_s + self.max_lag_s
            lag = self.max_lag_s
        return max(0, math.floor(lag / self.step_s + 1e-9))

    def achieved_factor(self, wall_s: float, sim_s: float) -> float | None:
        """Sim seconds per wall second since the previous call (or start); None when no wall time passed."""
        wall_prev, sim_prev = self._mark
        self._mark = (wall_s, sim_s)
        if wall_s <= wall_prev:
            return None
        return (sim_s - sim_prev) / (wall_s - wall_prev)
