"""Turn a VLA's text reply into one action, or a ParseFailure that means "hold still and ask again".

Accepts NaVILA's trained sentences ("The next action is move forward 75 cm.", "... turn left 15
degree.", "I think I should stop because I have finished the instruction.") and what other chat
models say around them: markdown, reasoning before an "Action:" line, other verbs, units
(cm/m/mm/inches/feet, degrees/°/radians/π), number words and several actions in one reply (the
first is taken; the others are listed in the action's notes).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from anynav.language.actions import Action, ActionKind, ParseFailure, ParseResult
from anynav.language.config import TRAINED_ANGLES_RAD, TRAINED_DISTANCES_M, ParserConfig
from anynav.language.quantities import QUANTITY, SPECIAL, Quantity, UnitKind, quantity_from_match

_NEG = (
    r"(?:do\s+not|does\s+not|should\s+not|will\s+not|don't|dont|doesn't|shouldn't|won't|cannot|can't"
    r"|not|never|no\s+need\s+to)\s+"
)
_STOP = (
    r"stop|halt"
    r"|(?:task|instruction|navigation|mission|goal)\s+(?:is\s+|has\s+been\s+)?(?:now\s+)?"
    r"(?:complete|completed|finished|done|accomplished|achieved)"
    r"|(?:i\s+have|i've|we\s+have)\s+(?:arrived|reached\s+the\s+(?:goal|destination|target))"
    r"|(?:destination|goal)\s+(?:has\s+been\s+)?reached"
)
_TURN = r"u-?turn|turn(?:s|ing)?|rotat(?:e|es|ing)|pivot(?:s|ing)?|spin(?:s|ning)?|yaw"
_MOVE = (
    r"mov(?:e|es|ing)|go(?:es|ing)?|walk(?:s|ing)?|step(?:s|ping)?|head(?:s|ing)?|proceed(?:s|ing)?"
    r"|advanc(?:e|es|ing)|driv(?:e|es|ing)|continu(?:e|es|ing)|keep|travel(?:s|ling|ing)?"
)
_FWD = r"forwards?|onwards?|ahead|straight"
_BACK = r"backwards?|back|reverse"
_DIR = r"counter-?clockwise|anti-?clockwise|clockwise|ccw|cw|left|right|around"

_TOKEN = re.compile(
    rf"(?<![a-z])(?P<special>{SPECIAL})(?![a-z])"
    rf"|{QUANTITY}"
    rf"|(?<![a-z'])(?P<neg>{_NEG})"
    rf"|(?<![a-z-])(?P<stop>{_STOP})(?![a-z])"
    rf"|(?<![a-z])(?P<turn>{_TURN})(?![a-z])"
    rf"|(?<![a-z])(?P<move>{_MOVE})(?![a-z])"
    rf"|(?<![a-z])(?P<fwd>{_FWD})(?![a-z])"
    rf"|(?<![a-z])(?P<back>{_BACK})(?![a-z])"
    rf"|(?<![a-z])(?P<dir>{_DIR})(?![a-z])"
)

# "bus stop", "stop sign" name things; they are not requests to stop ("non-stop" never matches).
_STOP_NOUN_BEFORE = re.compile(r"\b(?:bus|tram|train|truck|pit|full|next)\s*$")
_STOP_NOUN_AFTER = re.compile(r"^\s*(?:signs?|lights?|lines?|watch|buttons?)\b")

# Where a chat model announces its answer; text before it is reasoning and is skipped.
_MARKER = re.compile(
    r"\b(?:next\s+)?action\s*(?:is|will\s+be|should\s+be|:)"
    r"|\b(?:final\s+)?(?:answer|decision|command|output)\s*(?:is\s*)?:"
)
_SENTENCE_END = re.compile(r"(?<!\d)\.(?!\d)|\.(?=\s|$)|[!?;\n]")
_ABBREVIATION = re.compile(r"\b(approx|appr|ca|abt|est|eg|ie|e\.g|i\.e)\.")
_MARKUP = re.compile(r"<[^<>]{0,40}>|[*_`#>|~\"“”\[\]{}]")

_RIGHT_WORDS = ("right", "clockwise", "cw")
_ANCHORS = frozenset({"stop", "turn", "move", "fwd", "back", "dir", "neg"})
_WORD_KINDS = ("neg", "stop", "turn", "move", "fwd", "back", "dir")
_TURN_ENDERS = frozenset({"stop", "turn", "move", "neg", "fwd", "back"})
_MOVE_ENDERS = frozenset({"stop", "turn", "move", "neg"})
_HALF_TURN_RAD = math.radians(179.0)


@dataclass(frozen=True)
class _Token:
    kind: str
    start: int
    end: int
    text: str
    quantity: Quantity | None = None


@dataclass(frozen=True)
class _Intent:
    """An action named in the reply, before its magnitude is chosen, checked and snapped.

    quantities: every number written with the action, in order; the first with the right kind
    of unit is used.
    """

    kind: ActionKind
    quantities: tuple[Quantity, ...] = ()
    notes: tuple[str, ...] = ()
    around: bool = False


def parse_reply(text: str, config: ParserConfig | None = None) -> ParseResult:
    """The first action in ``text``, or a ParseFailure naming why there is none.

    Magnitudes come back in SI (metres, radians), snapped to NaVILA's trained values unless
    ``config.snap_to_trained`` is off, in which case they are clipped to the configured maxima.
    """
    config = config or ParserConfig()
    if not isinstance(text, str) or not text.strip():
        return ParseFailure(text if isinstance(text, str) else "", "empty reply")
    cleaned = _clean(text)
    marker = _MARKER.search(cleaned)
    bodies = [cleaned[marker.end() :], cleaned] if marker else [cleaned]
    for body in bodies:
        intents = _intents(body)
        first = next(intents, None)
        if first is None:
            continue
        if isinstance(first, ParseFailure):
            return ParseFailure(text, first.reason)
        later = [intent for intent in intents if isinstance(intent, _Intent)]
        return _finish(first, later, text, config)
    return ParseFailure(text, "no action found (expected forward, turn left/right or stop)")


def _clean(text: str) -> str:
    """Lower-case plain text: markdown, tags, quotes and odd Unicode forms removed."""
    text = unicodedata.normalize("NFKC", text.replace("º", "°")).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    text = _MARKUP.sub(" ", text)
    text = _ABBREVIATION.sub(lambda match: match.group(1).replace(".", ""), text)
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def _tokens(sentence: str) -> list[_Token]:
    """The words that matter in one sentence: action verbs, directions, quantities, negations."""
    tokens = []
    for match in _TOKEN.finditer(sentence):
        kind = next((name for name in _WORD_KINDS if match.group(name)), "qty")
        if kind == "qty":
            tokens.append(_Token("qty", match.start(), match.end(), match.group(0), quantity_from_match(match)))
        elif not (kind == "stop" and match.group(0) == "stop" and _names_a_thing(sentence, match)):
            tokens.append(_Token(kind, match.start(), match.end(), match.group(0)))
    return tokens


def _only_actions(sentence: str, tokens: list[_Token]) -> bool:
    """True when every word of the sentence is an action word ('Left.', 'left left forward')."""
    rest = sentence
    for token in reversed(tokens):
        rest = rest[: token.start] + rest[token.end :]
    return not re.search(r"[a-z0-9]", rest)


def _names_a_thing(sentence: str, match: re.Match[str]) -> bool:
    return bool(_STOP_NOUN_BEFORE.search(sentence[: match.start()]) or _STOP_NOUN_AFTER.match(sentence[match.end() :]))


def _sentences(body: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(body) if part.strip()]


def _intents(body: str) -> Iterator[_Intent | ParseFailure]:
    """Every action named in ``body``, in order; a failure stops the sequence."""
    for sentence in _sentences(body):
        tokens = _tokens(sentence)
        index = 0
        while index < len(tokens):
            result, index = _read(tokens, index, sentence)
            if result is not None:
                yield result
                if isinstance(result, ParseFailure):
                    return


def _span(tokens: list[_Token], index: int, enders: frozenset[str]) -> tuple[list[_Token], int]:
    """Tokens after ``index`` up to the next one whose kind is in ``enders``."""
    end = index + 1
    while end < len(tokens) and tokens[end].kind not in enders:
        end += 1
    return tokens[index + 1 : end], end


def _adjacent_quantity(tokens: list[_Token], index: int, kind: UnitKind) -> Quantity | None:
    """A quantity of ``kind`` written right before token ``index`` ('50 cm forward', '30° left')."""
    if index > 0 and tokens[index - 1].kind == "qty":
        quantity = tokens[index - 1].quantity
        if quantity is not None and quantity.kind is kind and tokens[index].start - tokens[index - 1].end <= 8:
            return quantity
    return None


def _quantities(span: list[_Token], before: Quantity | None = None) -> tuple[Quantity, ...]:
    found = tuple(token.quantity for token in span if token.quantity is not None)
    return found if before is None else (before, *found)


def _read(tokens: list[_Token], index: int, sentence: str) -> tuple[_Intent | ParseFailure | None, int]:
    """Read the action starting at token ``index``; returns it (or None) and where reading continues."""
    token = tokens[index]
    if token.kind == "neg":
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.kind in _ANCHORS and following.start - token.end <= 4:
            _, end = _span(tokens, index + 1, _MOVE_ENDERS)
            return None, end
        return None, index + 1
    if token.kind == "stop":
        return _Intent(ActionKind.STOP), index + 1
    if token.kind == "turn":
        return _read_turn(tokens, index)
    if token.kind == "move":
        return _read_move(tokens, index)
    if token.kind == "fwd":
        return _read_bare_direction(tokens, index, ActionKind.FORWARD)
    if token.kind == "back":
        return _read_bare_direction(tokens, index, ActionKind.BACKWARD)
    if token.kind == "dir":
        return _read_bare_turn(tokens, index, sentence)
    return None, index + 1


def _turn_kind(direction: str) -> ActionKind:
    return ActionKind.TURN_RIGHT if direction in _RIGHT_WORDS else ActionKind.TURN_LEFT


def _around(quantities: tuple[Quantity, ...]) -> _Intent:
    return _Intent(ActionKind.TURN_LEFT, quantities, ("turning around: read as a left turn",), around=True)


def _turn_intent(direction: _Token, quantities: tuple[Quantity, ...]) -> _Intent:
    if direction.text == "around":
        return _around(quantities)
    return _Intent(_turn_kind(direction.text), quantities)


def _read_turn(tokens: list[_Token], index: int) -> tuple[_Intent | ParseFailure, int]:
    span, end = _span(tokens, index, _TURN_ENDERS)
    direction = next((token for token in span if token.kind == "dir"), None)
    quantities = _quantities(span, _adjacent_quantity(tokens, index, UnitKind.ANGLE))
    if direction is not None:
        return _turn_intent(direction, quantities), end
    half_turn = any(q.kind is UnitKind.ANGLE and q.value >= _HALF_TURN_RAD for q in quantities)
    if tokens[index].text.startswith("u") or half_turn:
        return _around(quantities), end
    return ParseFailure("", f"'{tokens[index].text}' without a direction (left/right)"), end


def _read_move(tokens: list[_Token], index: int) -> tuple[_Intent | ParseFailure | None, int]:
    span, end = _span(tokens, index, _MOVE_ENDERS)
    heading = next((token for token in span if token.kind in ("fwd", "back", "dir")), None)
    quantities = _quantities(span)
    has_distance = any(q.kind is UnitKind.DISTANCE for q in quantities)
    if heading is None:
        if tokens[index].text.startswith("advanc"):
            return _Intent(ActionKind.FORWARD, quantities), end
        if has_distance:
            return _Intent(ActionKind.FORWARD, quantities, ("no direction given: forward assumed",)), end
        return None, end
    if heading.kind == "fwd":
        return _Intent(ActionKind.FORWARD, quantities), end
    if heading.kind == "back":
        if heading.text == "back" and not quantities:
            return None, end  # "go back to the door" names a place, not a distance
        return _Intent(ActionKind.BACKWARD, quantities), end
    if heading.text == "around":
        return None, end  # "go around the chair" is a detour, not a rotation
    if has_distance:
        return ParseFailure("", f"sideways motion ('{tokens[index].text} ... {heading.text}') is not supported"), end
    return _turn_intent(heading, quantities), end


def _read_bare_direction(tokens: list[_Token], index: int, kind: ActionKind) -> tuple[_Intent | None, int]:
    """'forward 50 cm', '50 cm forward', 'backwards'; 'ahead'/'straight'/'back' alone are not actions."""
    token = tokens[index]
    span, end = _span(tokens, index, _ANCHORS)
    quantities = _quantities(span, _adjacent_quantity(tokens, index, UnitKind.DISTANCE))
    if token.text in ("ahead", "straight") or (token.text == "back" and not quantities):
        return None, end
    return _Intent(kind, quantities), end


def _read_bare_turn(tokens: list[_Token], index: int, sentence: str) -> tuple[_Intent | None, int]:
    """'left 30 degrees', '30° right', 'a left turn', or a reply made only of action words ('Left.')."""
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is not None and following.kind == "turn" and following.start - token.end <= 2:
        span, end = _span(tokens, index + 1, _TURN_ENDERS)
        return _turn_intent(token, _quantities(span, _adjacent_quantity(tokens, index, UnitKind.ANGLE))), end
    after = following.quantity if following is not None and following.kind == "qty" else None
    if after is not None and after.kind is UnitKind.ANGLE:
        return _turn_intent(token, (after,)), index + 2
    before = _adjacent_quantity(tokens, index, UnitKind.ANGLE)
    if before is not None:
        return _turn_intent(token, (before,)), index + 1
    if token.text != "around" and _only_actions(sentence, tokens):
        return _turn_intent(token, ()), index + 1
    return None, index + 1


def _finish(intent: _Intent, later: list[_Intent], text: str, config: ParserConfig) -> ParseResult:
    """Check the magnitude, convert it to SI, snap or clip it, and note what was assumed."""
    notes = list(intent.notes)
    if intent.kind is ActionKind.STOP:
        requested = magnitude = 0.0
    elif intent.kind is ActionKind.BACKWARD and not config.allow_backward:
        return ParseFailure(text, "backward motion is disabled (ParserConfig.allow_backward)")
    else:
        turning = intent.kind.is_turn
        asked = _requested_magnitude(intent, turning, config, notes)
        if isinstance(asked, str):
            return ParseFailure(text, asked)
        requested, magnitude = asked, _limit(asked, turning, config, notes)
    if later:
        ignored = ", ".join(_describe_intent(item) for item in later)
        notes.append(f"only the first action is executed; ignored {len(later)} later: {ignored}")
    return Action(intent.kind, magnitude, text, requested, tuple(notes))


def _requested_magnitude(intent: _Intent, turning: bool, config: ParserConfig, notes: list[str]) -> float | str:
    """The magnitude asked for in SI, or the reason it is unusable."""
    wanted, unit_name = (UnitKind.ANGLE, "degrees") if turning else (UnitKind.DISTANCE, "cm")
    quantity = next((q for q in intent.quantities if q.kind is wanted), None)
    quantity = quantity or next((q for q in intent.quantities if q.kind is UnitKind.NONE), None)
    quantity = quantity or next(iter(intent.quantities), None)
    if quantity is None:
        if intent.around:
            return math.pi
        default = config.default_angle_rad if turning else config.default_distance_m
        if default <= 0.0:
            return f"no {'angle' if turning else 'distance'} given and no default configured"
        shown = f"{math.degrees(default):g} deg" if turning else f"{default:g} m"
        notes.append(f"no {'angle' if turning else 'distance'} given: default {shown}")
        return default
    if quantity.negative:
        return f"negative magnitude '{quantity.text}'"
    if quantity.kind is UnitKind.NONE:
        notes.append(f"no unit on '{quantity.text}': read as {unit_name}")
        value = math.radians(quantity.value) if turning else quantity.value / 100.0
    elif quantity.kind is not wanted:
        found, needed = ("a distance", "an angle") if turning else ("an angle", "a distance")
        return f"'{quantity.text}' is {found}, not {needed}"
    else:
        value = quantity.value
    if not math.isfinite(value) or value <= 0.0:
        return f"magnitude '{quantity.text}' is not a positive number"
    return value


def _limit(value: float, turning: bool, config: ParserConfig, notes: list[str]) -> float:
    """Snap to the trained magnitudes, or clip to the configured maximum."""
    if config.snap_to_trained:
        choices = TRAINED_ANGLES_RAD if turning else TRAINED_DISTANCES_M
        limited = min(choices, key=lambda choice: (round(abs(choice - value), 9), choice))  # ties: the smaller
        action = "snapped"
    else:
        limited = min(value, config.max_angle_rad if turning else config.max_distance_m)
        action = "clipped"
    if not math.isclose(limited, value, rel_tol=1e-9, abs_tol=1e-9):
        if turning:
            notes.append(f"{action} {math.degrees(value):.4g} deg to {math.degrees(limited):.4g} deg")
        else:
            notes.append(f"{action} {value:.4g} m to {limited:.4g} m")
        return limited
    return value


def _describe_intent(intent: _Intent) -> str:
    if intent.kind is ActionKind.STOP:
        return "stop"
    amount = "".join(f" {quantity.text}" for quantity in intent.quantities[:1])
    return f"{intent.kind.value}{amount}"
