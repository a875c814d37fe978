"""JSON carried in std_msgs/String between the executor and vla nodes: /vla/query (ask) and /vla/action (answer).

The executor asks by request id; the vla node answers that id with the raw reply, how long it took
and the action it parsed (or why there is none). ``session`` tells one executor process from the
next, so a restarted executor never acts on an answer meant for its predecessor; ``episode`` counts
instructions, and a new one starts a new frame history.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

from anynav.language.actions import Action, ActionKind
from anynav.language.config import ParserConfig
from anynav.language.errors import ProtocolError

EXACT_PARSER = ParserConfig(snap_to_trained=False, max_distance_m=5.0, max_angle_rad=2.0 * math.pi, allow_backward=True)
"""Parses ``canonical_reply`` back to the very action it was written from (no snapping, widest limits)."""

MAX_ID = 2**53
"""Ids stay exact in every JSON reader (IEEE doubles)."""


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise ProtocolError(f"{where}: missing field {name!r}")
    value = data[name]
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ProtocolError(f"{where}: field {name!r} is a boolean")
    if not isinstance(value, kind):
        raise ProtocolError(f"{where}: field {name!r} is {type(value).__name__}, not {kind}")
    return value


def _count(data: dict[str, Any], name: str, where: str) -> int:
    value = _field(data, name, int, where)
    if not 0 <= value <= MAX_ID:
        raise ProtocolError(f"{where}: field {name!r}={value} outside [0, 2^53]")
    return value


def _load(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ProtocolError(f"{where}: not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected a JSON object, got {type(data).__name__}")
    return data


@dataclass(frozen=True)
class QueryMessage:
    """/vla/query: ask the VLA for the next action of ``instruction`` and answer with ``request_id``."""

    session: str
    episode: int
    request_id: int
    instruction: str

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> QueryMessage:
        where = "/vla/query"
        data = _load(text, where)
        instruction = _field(data, "instruction", str, where)
        if not instruction.strip():
            raise ProtocolError(f"{where}: empty instruction")
        return cls(
            _field(data, "session", str, where),
            _count(data, "episode", where),
            _count(data, "request_id", where),
            instruction,
        )


def action_to_dict(action: Action) -> dict[str, Any]:
    """The parsed action in SI units (metres or radians), plus degrees for turns as people read them."""
    data: dict[str, Any] = {
        "kind": action.kind.value,
        "magnitude": action.magnitude,
        "requested": action.requested,
        "unit": "rad" if action.kind.is_turn else ("" if action.is_stop else "m"),
        "describe": action.describe(),
        "notes": list(action.notes),
    }
    if action.kind.is_turn:
        data["degrees"] = math.degrees(action.magnitude)
    return data


def action_from_dict(data: object, text: str, where: str) -> Action:
    """An Action from ``action_to_dict``'s output; anything else is a ProtocolError."""
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: field 'action' is {type(data).__name__}, not an object")
    try:
        kind = ActionKind(_field(data, "kind", str, where))
    except ValueError:
        known = ", ".join(kind.value for kind in ActionKind)
        raise ProtocolError(f"{where}: unknown action kind {data.get('kind')!r}; known: {known}") from None
    magnitude = float(_field(data, "magnitude", (int, float), where))
    requested = float(_field(data, "requested", (int, float), where))
    limit = (
        0.0
        if kind is ActionKind.STOP
        else (EXACT_PARSER.max_angle_rad if kind.is_turn else EXACT_PARSER.max_distance_m)
    )
    if not (math.isfinite(magnitude) and 0.0 <= magnitude <= limit) or (
        kind is not ActionKind.STOP and magnitude == 0.0
    ):
        raise ProtocolError(f"{where}: {kind.value} magnitude {magnitude!r} outside (0, {limit:g}]")
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        raise ProtocolError(f"{where}: field 'notes' must be a list of strings")
    return Action(kind, magnitude, text, requested, tuple(notes))


def canonical_reply(action: Action) -> str:
    """A sentence that ``parse_reply(..., EXACT_PARSER)`` reads back as ``action``.

    The executor core takes reply text; the executor node hands it this sentence so that it runs
    the action the vla node parsed, with the vla node's parser settings, and nothing else.
    """
    if action.kind is ActionKind.STOP:
        return "stop"
    if action.kind.is_turn:
        side = "left" if action.kind is ActionKind.TURN_LEFT else "right"
        return f"turn {side} {action.magnitude:.9f} radians"
    way = "forward" if action.kind is ActionKind.FORWARD else "backward"
    return f"move {way} {action.magnitude:.9f} m"


@dataclass(frozen=True)
class ActionMessage:
    """/vla/action: the answer to one query.

    text: the reply as the server sent it; None when the query failed.
    error: why the query failed (no reply in time, connection refused, a bad reply ...); None on success.
    action: the parsed action; None when the query failed or the reply held no action.
    parse_error: why the reply held no action; None otherwise.
    latency_s: from the query reaching the vla node to its answer (frames, retries, generation).
    attempts: requests sent to the server for this query.
    """

    session: str
    episode: int
    request_id: int
    instruction: str
    text: str | None
    error: str | None
    action: Action | None
    parse_error: str | None
    latency_s: float
    attempts: int

    @property
    def ok(self) -> bool:
        """The server answered (the answer may still hold no action)."""
        return self.error is None

    def to_json(self) -> str:
        return json.dumps(
            {
                "session": self.session,
                "episode": self.episode,
                "request_id": self.request_id,
                "instruction": self.instruction,
                "ok": self.ok,
                "text": self.text,
                "error": self.error,
                "action": None if self.action is None else action_to_dict(self.action),
                "parse_error": self.parse_error,
                "latency_s": round(self.latency_s, 6),
                "attempts": self.attempts,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> ActionMessage:
        where = "/vla/action"
        data = _load(text, where)
        reply = data.get("text")
        error = data.get("error")
        parse_error = data.get("parse_error")
        for name, value in (("text", reply), ("error", error), ("parse_error", parse_error)):
            if value is not None and not isinstance(value, str):
                raise ProtocolError(f"{where}: field {name!r} must be a string or null")
        if (reply is None) == (error is None):
            raise ProtocolError(f"{where}: exactly one of 'text' and 'error' must be set")
        raw_action = data.get("action")
        action = None if raw_action is None else action_from_dict(raw_action, reply or "", where)
        if reply is not None and (action is None) == (parse_error is None):
            raise ProtocolError(f"{where}: an answered query needs exactly one of 'action' and 'parse_error'")
        if reply is None and (action is not None or parse_error is not None):
            raise ProtocolError(f"{where}: a failed query carries no action")
        latency = float(_field(data, "latency_s", (int, float), where))
        if not (math.isfinite(latency) and latency >= 0.0):
            raise ProtocolError(f"{where}: latency_s={latency!r} must be a finite number >= 0")
        return cls(
            _field(data, "session", str, where),
            _count(data, "episode", where),
            _count(data, "request_id", where),
            _field(data, "instruction", str, where),
            reply,
            error,
            action,
            parse_error,
            latency,
            _count(data, "attempts", where),
        )
