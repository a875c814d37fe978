"""Twist mux: choose the velocity command from prioritised inputs, with TTLs, a deadman and a latching e-stop.

Priorities run e-stop > the configured inputs in order (default teleop > language >
autonomy). An input counts while its last command is younger than its TTL; an input that
needs a deadman (teleop) counts only while the deadman signal is pressed and fresh. The
e-stop latches: once pressed (or once its heartbeat was lost) the output stays zero until an
explicit reset while the e-stop reads released. The selection itself, ``select``, is a pure
function of the time and the latest inputs, so a stalled upstream gives zero within its TTL
plus one output period.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from anynav.control.errors import ControlConfigError, EstopResetError, UnknownInputError
from anynav.control.velocity import STOP, Velocity

_NS = 1_000_000_000


@dataclass(frozen=True)
class MuxInput:
    """One command source.

    name: the input's name (also its topic suffix in the node), non-empty, unique.
    ttl_s: a command older than this no longer counts, (0, 10] s.
    needs_deadman: count only while the deadman signal is pressed and fresh (teleop).
    """

    name: str
    ttl_s: float
    needs_deadman: bool = False

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and self.name.strip()):
            raise ControlConfigError(f"input name {self.name!r} must be a non-empty string")
        if not (math.isfinite(self.ttl_s) and 0.0 < self.ttl_s <= 10.0):
            raise ControlConfigError(f"inputs[{self.name}].ttl_s={self.ttl_s!r} must be in (0, 10] seconds")


def _default_inputs() -> tuple[MuxInput, ...]:
    return (MuxInput("teleop", 0.5, needs_deadman=True), MuxInput("language", 0.5), MuxInput("autonomy", 0.3))


@dataclass(frozen=True)
class MuxConfig:
    """Mux settings.

    inputs: command sources, highest priority first (the e-stop is always above them all).
    deadman_ttl_s: a deadman signal older than this counts as released, (0, 10] s.
    estop_heartbeat_s: when set, the e-stop must be heard at least this often or the output
        is zero (and the loss latches); None: the e-stop is event-only, (0, 10] s.
    rate_hz: output rate of the node, [1, 1000] Hz.
    """

    inputs: tuple[MuxInput, ...] = field(default_factory=_default_inputs)
    deadman_ttl_s: float = 0.3
    estop_heartbeat_s: float | None = None
    rate_hz: float = 20.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        if not self.inputs:
            raise ControlConfigError("inputs must name at least one command source")
        names = [i.name for i in self.inputs]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ControlConfigError(f"inputs: names must be unique, repeated: {', '.join(repeated)}")
        if not (math.isfinite(self.deadman_ttl_s) and 0.0 < self.deadman_ttl_s <= 10.0):
            raise ControlConfigError(f"deadman_ttl_s={self.deadman_ttl_s!r} must be in (0, 10] seconds")
        heartbeat = self.estop_heartbeat_s
        if heartbeat is not None and not (math.isfinite(heartbeat) and 0.0 < heartbeat <= 10.0):
            raise ControlConfigError(f"estop_heartbeat_s={heartbeat!r} must be None or in (0, 10] seconds")
        if not (math.isfinite(self.rate_hz) and 1.0 <= self.rate_hz <= 1000.0):
            raise ControlConfigError(f"rate_hz={self.rate_hz!r} must be in [1, 1000] Hz")


@dataclass(frozen=True)
class Received:
    """A value and the time (receiver clock, ns) it arrived."""

    received_ns: int
    value: Velocity | bool


@dataclass(frozen=True)
class EstopState:
    """The e-stop as the mux sees it: latched or not, and its latest signal."""

    latched: bool = False
    latch_reason: str = ""
    last: Received | None = None


@dataclass(frozen=True)
class MuxOutput:
    """The command to publish, the input it came from (None when zero is forced) and why."""

    command: Velocity
    source: str | None
    reason: str


def select(
    config: MuxConfig,
    commands: Mapping[str, Received],
    deadman: Received | None,
    estop: EstopState,
    now_ns: int,
) -> MuxOutput:
    """The output at ``now_ns`` from the latest inputs: highest-priority fresh input, or zero."""
    if estop.latched:
        return MuxOutput(STOP, None, f"e-stop latched ({estop.latch_reason}); reset to release")
    if estop.last is not None and estop.last.value:
        return MuxOutput(STOP, None, "e-stop pressed")
    if config.estop_heartbeat_s is not None:
        if estop.last is None:
            return MuxOutput(STOP, None, "e-stop heartbeat not heard yet")
        if not _fresh(estop.last, config.estop_heartbeat_s, now_ns):
            return MuxOutput(STOP, None, f"e-stop heartbeat lost {_age_s(estop.last, now_ns):.2f} s ago")
    skipped: list[str] = []
    for source in config.inputs:
        latest = commands.get(source.name)
        if latest is None or not _fresh(latest, source.ttl_s, now_ns):
            continue
        if source.needs_deadman and not (
            deadman is not None and deadman.value and _fresh(deadman, config.deadman_ttl_s, now_ns)
        ):
            skipped.append(f"{source.name} without deadman")
            continue
        command = latest.value
        if not isinstance(command, Velocity) or not command.is_finite():
            return MuxOutput(STOP, None, f"{source.name} sent a non-finite command")
        return MuxOutput(command, source.name, "; ".join(skipped))
    return MuxOutput(STOP, None, "; ".join([*skipped, "no fresh input"]))


class TwistMux:
    """Records the latest inputs as they arrive (stamped with the receiver's clock) and applies ``select``."""

    def __init__(self, config: MuxConfig) -> None:
        self.config = config
        self._names = {i.name for i in config.inputs}
        self._commands: dict[str, Received] = {}
        self._deadman: Received | None = None
        self._estop = EstopState()

    @property
    def estop(self) -> EstopState:
        """The e-stop state (latched or not, latest signal)."""
        return self._estop

    def set_command(self, name: str, command: Velocity, now_ns: int) -> None:
        """A command arrived on input ``name``."""
        if name not in self._names:
            raise UnknownInputError(f"unknown mux input {name!r} (configured: {', '.join(sorted(self._names))})")
        self._commands[name] = Received(int(now_ns), command)

    def set_deadman(self, pressed: bool, now_ns: int) -> None:
        """The deadman signal (e.g. the enable button held) arrived."""
        self._deadman = Received(int(now_ns), bool(pressed))

    def set_estop(self, pressed: bool, now_ns: int) -> None:
        """The e-stop signal arrived; pressed latches, and so does a heartbeat that had been lost."""
        signal = Received(int(now_ns), bool(pressed))
        previous = self._estop.last
        heartbeat = self.config.estop_heartbeat_s
        if self._estop.latched:
            self._estop = EstopState(True, self._estop.latch_reason, signal)
        elif pressed:
            self._estop = EstopState(True, "e-stop pressed", signal)
        elif heartbeat is not None and previous is not None and not _fresh(previous, heartbeat, now_ns):
            self._estop = EstopState(True, f"e-stop heartbeat was lost for {_age_s(previous, now_ns):.2f} s", signal)
        else:
            self._estop = EstopState(False, "", signal)

    def reset_estop(self, now_ns: int) -> None:
        """Release the latch; refused while the e-stop reads pressed or (with a heartbeat) is not fresh."""
        last = self._estop.last
        if last is not None and last.value:
            raise EstopResetError("cannot reset: the e-stop is still pressed")
        heartbeat = self.config.estop_heartbeat_s
        if heartbeat is not None and (last is None or not _fresh(last, heartbeat, now_ns)):
            raise EstopResetError("cannot reset: the e-stop heartbeat is not being received")
        self._estop = EstopState(False, "", last)

    def output(self, now_ns: int) -> MuxOutput:
        """The command to publish now."""
        return select(self.config, self._commands, self._deadman, self._estop, now_ns)


def _fresh(received: Received, ttl_s: float, now_ns: int) -> bool:
    """Younger than ``ttl_s``; a stamp from the future (clock jumped back) is not fresh."""
    age_ns = now_ns - received.received_ns
    return 0 <= age_ns <= ttl_s * _NS


def _age_s(received: Received, now_ns: int) -> float:
    return (now_ns - received.received_ns) / _NS
