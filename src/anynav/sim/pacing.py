"""Paces sim time against the wall clock at a real-time factor, falling behind gracefully when it cannot keep up."""

from __future__ import annotations

import math

from anynav.sim.errors import SimNodeConfigError
from anynav.sim.scenario import Sensors

__all__ = ["Pacer", "check_sensor_rates"]


def check_sensor_rates(sensors: Sensors, step_s: float) -> None:
    """Refuse a sensor faster than the steps: it would silently run at the step rate instead.

    Raises SimNodeConfigError naming the sensor's scenario key, its rate and the step.
    """
    rates = {"gps": sensors.gps.rate_hz, "imu": sensors.imu.rate_hz, "odometry": sensors.odometry.rate_hz}
    if sensors.camera.enabled:
        rates["camera"] = sensors.camera.rate_hz
    if sensors.lidar.enabled:
        rates["lidar"] = sensors.lidar.rate_hz
    for name, rate in rates.items():
        if rate > 1.0 / step_s + 1e-9:
            raise SimNodeConfigError(
                f"scenario sensors.{name}.rate_hz={rate:g} is faster than the sim steps (step_s={step_s:g} s, "
                f"{1.0 / step_s:g} Hz): lower the rate or set step_s <= {1.0 / rate:g}"
            )


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
