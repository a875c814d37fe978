"""Bridge decisions without ROS: velocity limits, the command time-to-live and stop calls, robot link health."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from anynav.control.velocity import STOP, Velocity
from anynav.robots.errors import ConfigError, NonFiniteValueError

NS_PER_S = 1_000_000_000


def check_range(name: str, value: float, low: float, high: float, *, open_low: bool = False) -> None:
    """ConfigError naming ``name`` and the allowed range unless ``value`` is a finite number inside it."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not number or not (low < value if open_low else low <= value) or value > high:
        raise ConfigError(f"{name}: {value!r} outside {'(' if open_low else '['}{low}, {high}]")


@dataclass(frozen=True)
class VelocityLimits:
    """Hard caps a bridge applies to every velocity command before it reaches the robot.

    max_forward_mps: largest vx, [0, 3] m/s.
    max_backward_mps: largest -vx, [0, 3] m/s (0 forbids walking backwards).
    max_lateral_mps: largest |vy|, [0, 2] m/s.
    max_yaw_rate: largest |wz|, [0, 4] rad/s.
    """

    max_forward_mps: float = 1.0
    max_backward_mps: float = 0.3
    max_lateral_mps: float = 0.3
    max_yaw_rate: float = 1.0

    def __post_init__(self) -> None:
        check_range("max_forward_mps", self.max_forward_mps, 0.0, 3.0)
        check_range("max_backward_mps", self.max_backward_mps, 0.0, 3.0)
        check_range("max_lateral_mps", self.max_lateral_mps, 0.0, 2.0)
        check_range("max_yaw_rate", self.max_yaw_rate, 0.0, 4.0)

    def clamp(self, velocity: Velocity) -> Velocity:
        """``velocity`` with each component clipped to its cap; NonFiniteValueError for NaN/inf."""
        if not velocity.is_finite():
            raise NonFiniteValueError("velocity", f"{velocity} is not finite; refusing to send it to the robot")
        return Velocity(
            vx=min(max(velocity.vx, -self.max_backward_mps), self.max_forward_mps),
            vy=min(max(velocity.vy, -self.max_lateral_mps), self.max_lateral_mps),
            wz=min(max(velocity.wz, -self.max_yaw_rate), self.max_yaw_rate),
        )


class Action(enum.Enum):
    """What a control tick sends to the robot."""

    MOVE = "move"  #: the latest command
    STOP = "stop"  #: the robot's stop call, once per occasion
    IDLE = "idle"  #: nothing (a robot that needs a steady stream gets its stand frame)


@dataclass(frozen=True)
class Tick:
    action: Action
    velocity: Velocity = STOP


class CommandGate:
    """The latest velocity command, its time-to-live, and when the robot's stop call is due.

    A non-zero command is forwarded while it is younger than ``ttl_s`` and the robot link is
    alive; a stale command is never repeated. A zero command (what the mux sends while no
    input is active) counts as no command, so the robot stands rather than walks in place
    (and a T1 is not switched to walking). The first tick that cannot move asks for the stop
    call once, and so does the first tick on which the robot (re)appears while not moving,
    so a robot left walking by an earlier run, or one that missed the stop while the link
    was down, is stopped too.
    """

    def __init__(self, limits: VelocityLimits, ttl_s: float) -> None:
        check_range("cmd_ttl_s", ttl_s, 0.0, 10.0, open_low=True)
        self.limits = limits
        self.ttl_ns = int(ttl_s * NS_PER_S)
        self.velocity = STOP
        self.received_ns: int | None = None
        self.received = 0
        self.stops = 0
        self._moving = False
        self._link_alive = False

    def command(self, velocity: Velocity, now_ns: int) -> Velocity:
        """Take a new command, clamped to the limits (NonFiniteValueError for NaN/inf, which is not taken)."""
        self.velocity = self.limits.clamp(velocity)
        self.received_ns = now_ns
        self.received += 1
        return self.velocity

    def fresh(self, now_ns: int) -> bool:
        return self.received_ns is not None and now_ns - self.received_ns <= self.ttl_ns

    def tick(self, now_ns: int, link_alive: bool) -> Tick:
        appeared = link_alive and not self._link_alive
        self._link_alive = link_alive
        if link_alive and self.fresh(now_ns) and self.velocity != STOP:
            self._moving = True
            return Tick(Action.MOVE, self.velocity)
        if self._moving or appeared:
            self._moving = False
            self.stops += 1
            return Tick(Action.STOP)
        return Tick(Action.IDLE)


class LinkState(enum.Enum):
    WAITING = "waiting"  #: no valid state yet
    OK = "ok"
    LOST = "lost"  #: no valid state within the TTL


class LinkMonitor:
    """Whether the robot is talking: when its last valid state sample came, and what came malformed."""

    def __init__(self, ttl_s: float) -> None:
        check_range("state_ttl_s", ttl_s, 0.0, 10.0, open_low=True)
        self.ttl_s = ttl_s
        self.last_ns: int | None = None
        self.samples = 0
        self.bad_frames = 0
        self.last_bad_frame = ""

    def received(self, now_ns: int) -> None:
        self.last_ns = now_ns
        self.samples += 1

    def rejected(self, reason: str, count: int = 1) -> None:
        """Count ``count`` malformed samples (bad CRC, NaN, wrong size ...); they do not keep the link alive."""
        self.bad_frames += count
        self.last_bad_frame = reason

    def age_s(self, now_ns: int) -> float:
        return math.inf if self.last_ns is None else (now_ns - self.last_ns) / NS_PER_S

    def state(self, now_ns: int) -> LinkState:
        if self.last_ns is None:
            return LinkState.WAITING
        return LinkState.OK if self.age_s(now_ns) <= self.ttl_s else LinkState.LOST

    def alive(self, now_ns: int) -> bool:
        return self.state(now_ns) is LinkState.OK

    def describe(self, now_ns: int) -> str:
        """One sentence for an operator."""
        state = self.state(now_ns)
        if state is LinkState.WAITING:
            return "waiting for the robot's first state"
        if state is LinkState.LOST:
            return f"robot lost: no valid state for {self.age_s(now_ns):.1f} s (ttl {self.ttl_s:g} s)"
        return "robot link ok"


class RateLimiter:
    """Lets events through at ``rate_hz`` on average: robot state arrives at up to 500 Hz.

    Events are matched to a grid of one slot per period, each slot taking the first event
    no earlier than half a period before it, so a stream at about the cap passes whole
    despite jitter (a plain "one period since the last one" rule would halve it) and a
    faster one is thinned to the cap. After a gap the grid restarts at the next event.
    """

    def __init__(self, rate_hz: float) -> None:
        check_range("publish_rate_hz", rate_hz, 0.0, 1000.0, open_low=True)
        self.period_ns = int(NS_PER_S / rate_hz)
        self._next_ns: int | None = None

    def ready(self, now_ns: int) -> bool:
        if self._next_ns is None or now_ns >= self._next_ns + self.period_ns:
            self._next_ns = now_ns + self.period_ns
            return True
        if now_ns < self._next_ns - self.period_ns // 2:
            return False
        self._next_ns += self.period_ns
        return True
