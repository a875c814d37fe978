"""Turns parsed VLA actions into timed velocity segments: a pure, time-driven state machine.

IDLE ──start──▶ QUERYING ──reply──▶ EXECUTING ──segment ends──▶ QUERYING ...
                   │  ▲ unparseable reply: ask again          │
                   │  └───────────────────────────────────────┘
                   ├─ reply "stop" ─────────────▶ STOPPED (instruction done)
                   └─ query failed / timed out ─▶ FAILED  (zero velocity)
any state ──estop──▶ STOPPED;  ──start──▶ QUERYING (a new instruction pre-empts);  ──cancel──▶ IDLE

Nothing here reads a clock or does I/O: every method takes ``now`` (seconds) and returns the
velocity to command plus, when it is time, a query to send. Zero velocity everywhere except
while EXECUTING, so a robot waiting for its VLA stands still.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from anynav.language.actions import Action, ActionKind, ParseFailure
from anynav.language.config import ExecutorConfig, ParserConfig
from anynav.language.errors import InstructionError
from anynav.language.motion import ZERO_VELOCITY, Pose2D, Velocity, wrap_angle
from anynav.language.parser import parse_reply


class ExecutorState(str, Enum):
    IDLE = "idle"
    QUERYING = "querying"
    EXECUTING = "executing"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True)
class QueryRequest:
    """Ask the VLA for the next action: send the frame history and this instruction, answer with this id."""

    request_id: int
    instruction: str
    issued_s: float


@dataclass(frozen=True)
class Segment:
    """One action being executed at constant velocity.

    nominal_s: magnitude / speed, the open-loop duration (NaVILA's only rule).
    limit_s: when the segment ends at the latest: nominal_s open loop, nominal_s × timeout_factor
        closed loop.
    start_pose: odometry pose at the start; None runs the segment open loop.
    """

    action: Action
    velocity: Velocity
    started_s: float
    nominal_s: float
    limit_s: float
    start_pose: Pose2D | None


@dataclass(frozen=True)
class ExecutorOutput:
    """What to do now: the velocity to command, a query to send (if any), and lines for the log."""

    velocity: Velocity
    state: ExecutorState
    query: QueryRequest | None = None
    events: tuple[str, ...] = ()


def watchdog_expired(last_valid_s: float | None, now_s: float, ttl_s: float) -> bool:
    """True when nothing valid arrived within ``ttl_s`` of ``now_s``: command zero velocity.

    ``last_valid_s`` is when the last valid action (or the query now awaited) arrived; None
    means never.
    """
    return last_valid_s is None or now_s - last_valid_s > ttl_s


def segment_for(action: Action, config: ExecutorConfig) -> tuple[Velocity, float]:
    """Velocity and nominal duration of a motion action: (0.5 m/s, d / 0.5) or (±π/6 rad/s, θ / (π/6))."""
    if action.kind is ActionKind.FORWARD:
        return Velocity(config.forward_speed_mps, 0.0, 0.0), action.magnitude / config.forward_speed_mps
    if action.kind is ActionKind.BACKWARD:
        return Velocity(-config.forward_speed_mps, 0.0, 0.0), action.magnitude / config.forward_speed_mps
    if action.kind is ActionKind.TURN_LEFT:
        return Velocity(0.0, 0.0, config.turn_rate_radps), action.magnitude / config.turn_rate_radps
    if action.kind is ActionKind.TURN_RIGHT:
        return Velocity(0.0, 0.0, -config.turn_rate_radps), action.magnitude / config.turn_rate_radps
    raise ValueError(f"{action.kind.value} has no velocity segment")


class ActionExecutor:
    """Runs one instruction: asks the VLA, executes each action as a velocity segment, asks again."""

    def __init__(self, config: ExecutorConfig | None = None, parser: ParserConfig | None = None) -> None:
        self.config = config or ExecutorConfig()
        self.parser = parser or ParserConfig()
        self.state = ExecutorState.IDLE
        self.reason = "no instruction yet"
        self.instruction = ""
        self.segment: Segment | None = None
        self.last_action: Action | None = None
        self._next_id = 1
        self._pending: QueryRequest | None = None
        self._parse_failures = 0
        self._pose: Pose2D | None = None
        self._turned = 0.0
        self._last_yaw = 0.0

    @property
    def moving(self) -> bool:
        """The robot is being commanded to move (the frame history's clock runs)."""
        return self.state is ExecutorState.EXECUTING

    @property
    def pending_request(self) -> QueryRequest | None:
        """The query whose reply the executor is waiting for."""
        return self._pending

    def start(self, now: float, instruction: str) -> ExecutorOutput:
        """Begin a new instruction, pre-empting whatever runs; the output carries the first query."""
        if not isinstance(instruction, str) or not instruction.strip():
            raise InstructionError("instruction is empty; call cancel() to stop the current task")
        self.instruction = instruction.strip()
        self.last_action = None
        self._parse_failures = 0
        return self._ask(now, f"new instruction: {self.instruction!r}")

    def cancel(self) -> ExecutorOutput:
        """Drop the current instruction and stand still (IDLE)."""
        return self._halt(ExecutorState.IDLE, "cancelled")

    def estop(self) -> ExecutorOutput:
        """Emergency stop: zero velocity, forget the pending query; only a new instruction restarts."""
        return self._halt(ExecutorState.STOPPED, "e-stop")

    def on_reply(self, now: float, request_id: int, text: str) -> ExecutorOutput:
        """A reply arrived; start its segment (the returned velocity can be published at once)."""
        if self._pending is None or request_id != self._pending.request_id or self.state is not ExecutorState.QUERYING:
            return self._output(f"ignored reply to request {request_id} (not awaited): {text!r}")
        result = parse_reply(text, self.parser)
        if isinstance(result, ParseFailure):
            return self._unparseable(now, result)
        self._parse_failures = 0
        self.last_action = result
        notes = tuple(f"note: {note}" for note in result.notes)
        if result.is_stop:
            return self._halt(ExecutorState.STOPPED, f"VLA said stop: {text!r}", *notes)
        self._begin_segment(now, result)
        return self._output(f"executing {result.describe()} from {text!r}", *notes)

    def on_query_failed(self, request_id: int, reason: str) -> ExecutorOutput:
        """The client gave up on a query (after its own retries): stop, do not guess."""
        if self._pending is None or request_id != self._pending.request_id:
            return self._output(f"ignored failure of request {request_id} (not awaited): {reason}")
        return self._halt(ExecutorState.FAILED, f"VLA query failed: {reason}")

    def tick(self, now: float, pose: Pose2D | None = None) -> ExecutorOutput:
        """Advance time; ``pose`` is the current odometry pose, None when odometry is missing or stale."""
        self._pose = pose
        if self.state is ExecutorState.QUERYING and self._pending is not None:
            if watchdog_expired(self._pending.issued_s, now, self.config.query_timeout_s):
                wait = self.config.query_timeout_s
                return self._halt(ExecutorState.FAILED, f"no reply within {wait:g} s (ExecutorConfig.query_timeout_s)")
            return self._output()
        if self.state is ExecutorState.EXECUTING and self.segment is not None:
            finished = self._segment_finished(now, pose)
            if finished:
                return self._ask(now, finished)
        return self._output()

    def _begin_segment(self, now: float, action: Action) -> None:
        velocity, nominal = segment_for(action, self.config)
        closed = self.config.closed_loop and self._pose is not None
        limit = nominal * self.config.timeout_factor if closed else nominal
        self.segment = Segment(action, velocity, now, nominal, limit, self._pose if closed else None)
        self._turned = 0.0
        self._last_yaw = self._pose.yaw if self._pose is not None else 0.0
        self._pending = None
        self.state = ExecutorState.EXECUTING
        self.reason = f"executing {action.describe()}"

    def _segment_finished(self, now: float, pose: Pose2D | None) -> str | None:
        """Why the running segment is over, or None while it continues."""
        segment = self.segment
        assert segment is not None
        elapsed = now - segment.started_s
        if segment.start_pose is None:
            return "nominal duration elapsed" if elapsed >= segment.nominal_s else None
        if pose is None:
            return "odometry lost: ended at the nominal duration" if elapsed >= segment.nominal_s else None
        self._turned += wrap_angle(pose.yaw - self._last_yaw)
        self._last_yaw = pose.yaw
        if self._progress(segment, pose) >= segment.action.magnitude:
            return f"odometry shows the target reached after {elapsed:.2f} s"
        if elapsed >= segment.limit_s:
            return f"timed out after {elapsed:.2f} s before odometry showed the target"
        return None

    def _progress(self, segment: Segment, pose: Pose2D) -> float:
        """Distance (m) or angle (rad) covered so far in the segment's own direction."""
        kind = segment.action.kind
        if kind is ActionKind.TURN_LEFT:
            return self._turned
        if kind is ActionKind.TURN_RIGHT:
            return -self._turned
        start = segment.start_pose
        assert start is not None
        along = (pose.x - start.x) * math.cos(start.yaw) + (pose.y - start.y) * math.sin(start.yaw)
        return along if kind is ActionKind.FORWARD else -along

    def _unparseable(self, now: float, failure: ParseFailure) -> ExecutorOutput:
        self._parse_failures += 1
        limit = self.config.max_parse_failures
        if self._parse_failures > limit:
            return self._halt(
                ExecutorState.FAILED,
                f"{self._parse_failures} unparseable replies in a row; last: {failure.text!r} ({failure.reason})",
            )
        return self._ask(
            now, f"unparseable reply {failure.text!r} ({failure.reason}); asking again ({self._parse_failures}/{limit})"
        )

    def _ask(self, now: float, why: str) -> ExecutorOutput:
        self._pending = QueryRequest(self._next_id, self.instruction, now)
        self._next_id += 1
        self.segment = None
        self.state = ExecutorState.QUERYING
        self.reason = f"waiting for reply to request {self._pending.request_id}"
        return self._output(why, query=self._pending)

    def _halt(self, state: ExecutorState, reason: str, *events: str) -> ExecutorOutput:
        self._pending = None
        self.segment = None
        self.state = state
        self.reason = reason
        return self._output(f"{state.value}: {reason}", *events)

    def _output(self, *events: str, query: QueryRequest | None = None) -> ExecutorOutput:
        velocity = self.segment.velocity if self.state is ExecutorState.EXECUTING and self.segment else ZERO_VELOCITY
        return ExecutorOutput(velocity, self.state, query, tuple(event for event in events if event))
