"""Fixed-rate sensor triggers on sim time."""

from __future__ import annotations

import math

__all__ = ["RateGate"]


class RateGate:
    """Says when a sensor running at ``rate_hz`` of sim time is due.

    The k-th firing is at ``start_s + k / rate_hz`` (computed, not accumulated, so it never
    drifts). When the caller steps past several firings at once, one firing is reported
    and the missed ones are skipped, as a real sensor that was busy would skip them.
    """

    def __init__(self, rate_hz: float, start_s: float = 0.0) -> None:
        if not (math.isfinite(rate_hz) and rate_hz > 0.0):
            raise ValueError(f"rate_hz must be a positive number, got {rate_hz!r}")
        self.rate_hz = rate_hz
        self._start = start_s
        self._count = 0

    def due(self, now_s: float) -> bool:
        """True (once) when ``now_s`` has reached the next firing time."""
        if now_s + 1e-9 < self._start + self._count / self.rate_hz:
            return False
        self._count = math.floor((now_s + 1e-9 - self._start) * self.rate_hz) + 1
        return True
