"""When the policy node ticks: on the input whose stamp reaches the next due time, at the policy's rate in stamp time.

Ticking on the frame itself (not on a wall-clock timer) means a frame waits for no timer, so the
camera-to-command latency is the inference time plus the hops; due times advance on a fixed
grid, so a 5 Hz camera still gives a 3.33 Hz LogoNav on average, and a camera whose rate is a
multiple of the policy's gives ticks exactly one context spacing apart (one new embedding per tick).
"""

from __future__ import annotations

import math

from anynav.policy.errors import PolicyConfigError

_NS = 1_000_000_000


class TickSchedule:
    """Says which input stamps start a tick.

    rate_hz: ticks per second of stamp time, (0, 100].
    early_fraction: a stamp up to this fraction of a period before the due time still ticks
        (camera stamps jitter), [0, 0.5).
    """

    def __init__(self, rate_hz: float, early_fraction: float = 0.1) -> None:
        if not (math.isfinite(rate_hz) and 0.0 < rate_hz <= 100.0):
            raise PolicyConfigError(f"rate_hz={rate_hz!r} must be in (0, 100] Hz")
        if not (math.isfinite(early_fraction) and 0.0 <= early_fraction < 0.5):
            raise PolicyConfigError(f"early_fraction={early_fraction!r} must be in [0, 0.5)")
        self.rate_hz = rate_hz
        self.period_ns = round(_NS / rate_hz)
        self._early_ns = round(early_fraction * self.period_ns)
        self._due_ns: int | None = None
        self._last_ns: int | None = None

    def due(self, stamp_ns: int) -> bool:
        """True when a tick should run on the input stamped ``stamp_ns`` (and then books the next due time)."""
        stamp_ns = int(stamp_ns)
        if self._last_ns is not None and stamp_ns < self._last_ns - self.period_ns:
            self._due_ns = None  # the clock jumped back (a bag looped, the sim restarted): start over
        if self._due_ns is not None and stamp_ns < self._due_ns - self._early_ns:
            return False
        self._last_ns = stamp_ns
        if self._due_ns is None or stamp_ns >= self._due_ns + self.period_ns:
            self._due_ns = stamp_ns + self.period_ns  # first tick, or after a gap: a new grid from here
        else:
            self._due_ns += self.period_ns
        return True

    def reset(self) -> None:
        """Forget the grid: the next input ticks."""
        self._due_ns = None
        self._last_ns = None
