"""The mid-level actions a VLA reply is parsed into, and the result of a reply that cannot be parsed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum


class ActionKind(str, Enum):
    """What the robot is asked to do; NaVILA emits all but BACKWARD."""

    FORWARD = "forward"
    BACKWARD = "backward"
    TURN_LEFT = "turn_left"
    TURN_RIGHT = "turn_right"
    STOP = "stop"

    @property
    def is_turn(self) -> bool:
        return self in (ActionKind.TURN_LEFT, ActionKind.TURN_RIGHT)


@dataclass(frozen=True)
class Action:
    """One parsed action.

    magnitude: metres for FORWARD/BACKWARD, radians for turns (always >= 0; the kind carries the
        sign), 0 for STOP. This is what the robot will do, after snapping or clipping.
    requested: the magnitude the reply asked for, in the same SI unit, before snapping/clipping.
    text: the reply exactly as received.
    notes: what the parser assumed or dropped (a default magnitude, a unit, later actions ignored),
        for the log.
    """

    kind: ActionKind
    magnitude: float
    text: str
    requested: float
    notes: tuple[str, ...] = ()

    @property
    def is_stop(self) -> bool:
        """Stop ends the instruction: zero velocity, no further queries."""
        return self.kind is ActionKind.STOP

    def describe(self) -> str:
        """A short human form: 'forward 0.75 m', 'turn_left 30.0 deg', 'stop'."""
        if self.kind is ActionKind.STOP:
            return "stop"
        if self.kind.is_turn:
            return f"{self.kind.value} {math.degrees(self.magnitude):.1f} deg"
        return f"{self.kind.value} {self.magnitude:.2f} m"


@dataclass(frozen=True)
class ParseFailure:
    """A reply with no usable action. The only safe response: hold zero velocity and ask again.

    (NaVILA-Bench turns any unknown reply into a blind 25 cm forward step; we never do.)
    """

    text: str
    reason: str


ParseResult = Action | ParseFailure
