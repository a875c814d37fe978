"""Quantities in VLA replies: '75 cm', '0.5 metres', 'seventy-five cm', 'π/4 rad', 'a quarter turn'."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum


class UnitKind(str, Enum):
    DISTANCE = "distance"
    ANGLE = "angle"
    NONE = "none"


@dataclass(frozen=True)
class Quantity:
    """A number found in a reply.

    value: in SI (metres or radians) when the unit is known, else the bare number as written.
    negative: a minus sign was written in front of it.
    """

    value: float
    kind: UnitKind
    text: str
    negative: bool = False


_UNITS: tuple[tuple[str, UnitKind, float], ...] = (
    (r"mm|millimet(?:er|re)s?", UnitKind.DISTANCE, 0.001),
    (r"cms?|centimet(?:er|re)s?", UnitKind.DISTANCE, 0.01),
    (r"m|mtrs?|met(?:er|re)s?", UnitKind.DISTANCE, 1.0),
    (r"ft|foot|feet", UnitKind.DISTANCE, 0.3048),
    # "in" only when nothing but punctuation follows, so "2 in the hall" is not inches.
    (r"inch(?:es)?|in(?=\s*(?:$|[.,;!?)]))", UnitKind.DISTANCE, 0.0254),
    (r"°|degrees?|degs?", UnitKind.ANGLE, math.pi / 180.0),
    (r"radians?|rads?", UnitKind.ANGLE, 1.0),
)
_UNIT_PATTERNS = tuple((re.compile(pattern), kind, scale) for pattern, kind, scale in _UNITS)
UNIT = "(?:" + "|".join(pattern for pattern, _, _ in _UNITS) + r")(?![a-z])"

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_WORD = "|".join(sorted([*_SMALL, *_TENS], key=len, reverse=True))
_WORDS = rf"(?:{_WORD})(?:[\s-]+(?:and[\s-]+)?(?:{_WORD}|hundred))*(?:\s+and\s+a\s+half)?"
_HUNDREDS = rf"(?:a|an|one)[\s-]+hundred(?:[\s-]+(?:and[\s-]+)?(?:{_WORD}))*"

# Whole-turn phrases carry their own unit; they are tried before anything else.
SPECIAL = r"(?:an?\s+)?(?:quarter(?:\s+of\s+an?)?|half(?:\s+an?)?|full|complete)\s+(?:turn|rotation|circle)"

NUMBER = (
    r"(?P<minus>-\s*)?"
    r"(?:(?P<pi_coef>\d+(?:\.\d+)?)\s*\*?\s*)?(?P<pi>π|pi)(?:\s*/\s*(?P<pi_div>\d+(?:\.\d+)?))?(?![a-z])"
    r"|(?P<minus2>-\s*)?(?P<digits>(?:\d+(?:\.\d+)?|\.\d+)(?:e[+-]?\d+)?)"
    rf"|(?P<words>{_HUNDREDS}|{_WORDS})(?![a-z])"
    rf"|(?P<one>an?|half\s+an?)(?=\s+{UNIT})"
)
"""A number: digits, π fractions, number words, or 'a'/'half a' directly before a unit."""

QUANTITY = rf"(?<![a-z0-9_.])(?:{NUMBER})(?:\s*(?P<unit>{UNIT}))?"


def words_to_number(words: str) -> float:
    """'seventy-five' → 75, 'one hundred and twenty' → 120, 'two and a half' → 2.5."""
    half = 0.5 if re.search(r"and\s+a\s+half$", words) else 0.0
    words = re.sub(r"\s+and\s+a\s+half$", "", words)
    total = 0
    for word in re.split(r"[\s-]+", words):
        if word in _SMALL:
            total += _SMALL[word]
        elif word in _TENS:
            total += _TENS[word]
        elif word == "hundred":
            total = max(total, 1) * 100
        elif word in ("a", "an"):
            total += 1
    return total + half


def _special_angle(text: str) -> float:
    if "quarter" in text:
        return math.pi / 2.0
    if "half" in text:
        return math.pi
    return 2.0 * math.pi


def quantity_from_match(match: re.Match[str]) -> Quantity:
    """Build a Quantity from a match of SPECIAL or QUANTITY (their named groups)."""
    groups = match.groupdict()
    if groups.get("special"):
        return Quantity(_special_angle(groups["special"]), UnitKind.ANGLE, groups["special"])
    negative = bool(groups.get("minus") or groups.get("minus2"))
    if groups.get("pi"):
        coef = float(groups["pi_coef"]) if groups.get("pi_coef") else 1.0
        divisor = float(groups["pi_div"]) if groups.get("pi_div") else 1.0
        number = coef * math.pi / divisor if divisor else math.inf
        kind, scale = UnitKind.ANGLE, 1.0
    else:
        if groups.get("digits"):
            number = float(groups["digits"])
        elif groups.get("words"):
            number = words_to_number(groups["words"])
        else:
            number = 0.5 if groups["one"].startswith("half") else 1.0
        kind, scale = UnitKind.NONE, 1.0
    unit = groups.get("unit")
    if unit:
        for pattern, unit_kind, unit_scale in _UNIT_PATTERNS:
            if pattern.fullmatch(unit):
                kind, scale = unit_kind, unit_scale
                break
    return Quantity(number * scale, kind, match.group(0).strip(), negative)
