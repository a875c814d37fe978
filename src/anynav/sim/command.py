"""The velocity command the simulated base follows: the latest one received, until its time-to-live runs out."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["CommandHold"]

_ZERO = (0.0, 0.0, 0.0)


class CommandHold:
    """Holds the latest body-frame command (vx, vy, wz) and when it arrived, in sim time.

    A command older than ``ttl_s`` reads as zero: a navigation stack that stops talking
    stops the robot, it never leaves it driving on its last word.
    """

    def __init__(self, ttl_s: float) -> None:
        if not (math.isfinite(ttl_s) and ttl_s > 0.0):
            raise ValueError(f"ttl_s must be a positive number of seconds, got {ttl_s!r}")
        self.ttl_s = ttl_s
        self._command = _ZERO
        self._received_s = -math.inf

    def set(self, command: Sequence[float], now_s: float) -> None:
        """Take a new command (finite vx, vy, wz) received at sim time ``now_s``."""
        vx, vy, wz = (float(v) for v in command)
        if not all(math.isfinite(v) for v in (vx, vy, wz)):
            raise ValueError(f"command must be finite, got vx={vx}, vy={vy}, wz={wz}")
        self._command = (vx, vy, wz)
        self._received_s = now_s

    def stale(self, now_s: float) -> bool:
        """True when no command arrived within the last ``ttl_s`` seconds."""
        return now_s - self._received_s > self.ttl_s

    def current(self, now_s: float) -> tuple[float, float, float]:
        """The command to drive with at ``now_s``: the latest one, or zero once it is stale."""
        return _ZERO if self.stale(now_s) else self._command
