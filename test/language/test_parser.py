"""Reply parser: NaVILA's full trained vocabulary, what other servers say around it, and what must fail."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anynav.language import Action, ActionKind, ParseFailure, ParserConfig, parse_reply

F, B, L, R, S = ActionKind.FORWARD, ActionKind.BACKWARD, ActionKind.TURN_LEFT, ActionKind.TURN_RIGHT, ActionKind.STOP

# The exact 10 label strings of NaVILA's R2R annotations, with the action each must give
# (forward in cm, turns in degrees).
TRAINED = [
    ("I think I should stop because I have finished the instruction.", S, 0),
    ("The next action is move forward 25 cm.", F, 25),
    ("The next action is move forward 50 cm.", F, 50),
    ("The next action is move forward 75 cm.", F, 75),
    ("The next action is turn left 15 degree.", L, 15),
    ("The next action is turn left 30 degree.", L, 30),
    ("The next action is turn left 45 degree.", L, 45),
    ("The next action is turn right 15 degree.", R, 15),
    ("The next action is turn right 30 degree.", R, 30),
    ("The next action is turn right 45 degree.", R, 45),
]

# Off-vocabulary replies that must parse, with default config (snapping to trained magnitudes).
OFF_VOCABULARY = [
    ("The next action is move forward 75 cm", F, 75),
    ("the next action is move forward 50 cm.", F, 50),
    ("THE NEXT ACTION IS TURN RIGHT 30 DEGREE.", R, 30),
    ("**The next action is move forward 25 cm.**", F, 25),
    ("`turn left 45 degrees`", L, 45),
    ("Action: Move forward 0.5 m", F, 50),
    ("Action: move forward 0.75 meters.", F, 75),
    ("Next action: turn right 15°", R, 15),
    ("turn left 30º", L, 30),
    ("Turn left by 45 deg.", L, 45),
    ("Rotate right 0.5236 radians", R, 30),
    ("turn right π/6 rad", R, 30),
    ("Turn left pi/4.", L, 45),
    ("Move forward 2.5 feet", F, 75),
    ("move forward 20 inches", F, 50),
    ("Move forward seventy-five centimeters.", F, 75),
    ("Move forward fifty centimetres", F, 50),
    ("turn left forty five degrees", L, 45),
    ("Turn right fifteen degrees.", R, 15),
    ("Walk forward half a meter.", F, 50),
    ("Go straight for 1 meter", F, 75),
    ("Proceed ahead 25cm", F, 25),
    ("Advance 50 cm.", F, 50),
    ("Move 75 cm forward.", F, 75),
    ("Turn 30 degrees to the left.", L, 30),
    ("Rotate 45° clockwise", R, 45),
    ("rotate counterclockwise by 15 degrees", L, 15),
    ("Make a 30 degree right turn.", R, 30),
    ("a left turn of 30 degrees", L, 30),
    ("Make a quarter turn to the right.", R, 45),
    ("Turn around.", L, 45),
    ("u-turn", L, 45),
    ("Turn 180 degrees.", L, 45),
    ("Stop.", S, 0),
    ("STOP", S, 0),
    ("Answer: stop", S, 0),
    ("I have arrived at the destination.", S, 0),
    ("The task is complete.", S, 0),
    ("I think I should stop because I have finished the instruction", S, 0),
    ("Reasoning: the hallway continues ahead but the door is on the left. Action: turn left 45 degrees.", L, 45),
    ("Moving forward would hit the wall, so the next action is turn right 30 degree.", R, 30),
    ("I can see a kitchen on the right.\nThe next action is turn right 30 degree.", R, 30),
    ("Move forward 50 cm, then turn left 30 degrees.", F, 50),
    ("Turn left 15 degrees and move forward 75 cm.", L, 15),
    ("1. Move forward 75 cm\n2. Turn right 45 degrees", F, 75),
    ("- move forward 25 cm", F, 25),
    ("Don't turn yet; move forward 50 cm.", F, 50),
    ("Do not stop. Move forward 25 cm.", F, 25),
    ("Walk to the bus stop: move forward 75 cm.", F, 75),
    ("There is a stop sign ahead; turn right 15 degrees.", R, 15),
    ("move forward 75\u00a0cm", F, 75),
    ("move forward ７５ cm", F, 75),
    ("left left forward forward", L, 15),
    ("Forward.", F, 25),
    ("turn left", L, 15),
    ("Turn right.", R, 15),
    ("move forward", F, 25),
    ("<action>turn left 30 degrees</action>", L, 30),
    ("The next action is move forward 100 cm.", F, 75),
    ("The next action is turn left 90 degree.", L, 45),
    ("The next action is move forward 10 cm.", F, 25),
    ("The next action is turn right 20 degree.", R, 15),
    ("move forward 0.6 m", F, 50),
    ("Move forward 37.5 cm", F, 25),
    ("turn left 22.5 degrees", L, 15),
    ("Walk straight ahead for about 1.5 meters", F, 75),
    ("Step 1: move forward 50 cm", F, 50),
    ("forward 50 cm", F, 50),
    ("Turn left approx. 30 degrees", L, 30),
    ("I will turn right by about 45 degrees.", R, 45),
    ("Let's go forward 25 centimeters!", F, 25),
    ("Keep moving forward 75 cm", F, 75),
    ("Continue straight 50 cm.", F, 50),
    ("Turn slightly to the right.", R, 15),
    ("move forward one meter", F, 75),
    ("move forward a meter", F, 75),
    ("Move forward 75 cm. Then stop.", F, 75),
    ("Next action is: move forward 25 cm", F, 25),
    ("The next action is move forward 75 cm.<|eot_id|>", F, 75),
    ("The next action is move forward 75 cm.</s>", F, 75),
    ('"The next action is turn left 15 degree."', L, 15),
    ("move forward 2 in.", F, 25),
    ("Move ahead 50 cm to the right of the table.", F, 50),
]

# Replies that must not move the robot: (text, a word the failure reason must contain).
FAILURES = [
    ("", "empty"),
    ("   \n ", "empty"),
    ("I'm sorry, I can't help with that.", "no action"),
    ("asdfghjkl", "no action"),
    ("The image shows a hallway with a door.", "no action"),
    ("The next action is", "no action"),
    ("Move towards the door.", "no action"),
    ("Go around the chair.", "no action"),
    ("Go back to the kitchen.", "no action"),
    ("ahead", "no action"),
    ("Don't move forward.", "no action"),
    ("turn 30 degrees", "direction"),
    ("rotate by 45°", "direction"),
    ("move left 50 cm", "sideways"),
    ("move backward 50 cm", "backward"),
    ("go back 1 m", "backward"),
    ("move forward 30 degrees", "not a distance"),
    ("turn left 50 cm", "not an angle"),
    ("move forward 0 cm", "positive"),
    ("turn left -15 degrees", "negative"),
]


def _in_display_units(action: Action) -> float:
    return math.degrees(action.magnitude) if action.kind.is_turn else action.magnitude * 100.0


@pytest.mark.parametrize(("text", "kind", "amount"), TRAINED, ids=[t for t, _, _ in TRAINED])
@pytest.mark.parametrize("snap", [True, False])
def test_trained_vocabulary_parses_exactly(text: str, kind: ActionKind, amount: float, snap: bool) -> None:
    action = parse_reply(text, ParserConfig(snap_to_trained=snap))
    assert isinstance(action, Action), action
    assert action.kind is kind
    assert _in_display_units(action) == pytest.approx(amount, abs=1e-9)
    assert action.requested == pytest.approx(action.magnitude)
    assert action.notes == ()
    assert action.text == text


@pytest.mark.parametrize(("text", "kind", "amount"), OFF_VOCABULARY, ids=[t[:40] for t, _, _ in OFF_VOCABULARY])
def test_off_vocabulary_reply(text: str, kind: ActionKind, amount: float) -> None:
    action = parse_reply(text)
    assert isinstance(action, Action), action
    assert (action.kind, round(_in_display_units(action), 6)) == (kind, amount)
    assert action.text == text


def test_table_is_large_enough() -> None:
    assert len(TRAINED) == 10
    assert len(OFF_VOCABULARY) >= 50


@pytest.mark.parametrize(("text", "reason"), FAILURES, ids=[t[:40] or "empty" for t, _ in FAILURES])
def test_unusable_reply_is_a_failure(text: str, reason: str) -> None:
    result = parse_reply(text)
    assert isinstance(result, ParseFailure), result
    assert reason in result.reason
    assert result.text == text


def test_first_action_is_taken_and_the_rest_are_noted() -> None:
    action = parse_reply("Move forward 50 cm, then turn left 30 degrees. After that, stop.")
    assert isinstance(action, Action)
    assert action.kind is F
    assert any("ignored 2 later" in note and "turn_left 30 degrees" in note for note in action.notes)


def test_snapping_records_the_requested_magnitude() -> None:
    action = parse_reply("move forward 2 feet")
    assert isinstance(action, Action)
    assert action.requested == pytest.approx(0.6096)
    assert action.magnitude == pytest.approx(0.5)
    assert any("snapped" in note for note in action.notes)


def test_assumed_unit_and_default_magnitude_are_noted() -> None:
    unitless = parse_reply("The next action is move forward 75.")
    assert isinstance(unitless, Action)
    assert unitless.magnitude == pytest.approx(0.75)
    assert any("no unit" in note for note in unitless.notes)
    bare = parse_reply("Turn left.")
    assert isinstance(bare, Action)
    assert any("default 15 deg" in note for note in bare.notes)


def test_without_snapping_magnitudes_are_kept_and_clipped() -> None:
    config = ParserConfig(snap_to_trained=False, max_distance_m=1.0, max_angle_rad=math.radians(90))
    kept = parse_reply("move forward 60 cm", config)
    assert isinstance(kept, Action) and kept.magnitude == pytest.approx(0.6)
    turned = parse_reply("turn left 20 degrees", config)
    assert isinstance(turned, Action) and turned.magnitude == pytest.approx(math.radians(20))
    clipped = parse_reply("move forward 3 m", config)
    assert isinstance(clipped, Action)
    assert (clipped.magnitude, clipped.requested) == (pytest.approx(1.0), pytest.approx(3.0))
    assert any("clipped" in note for note in clipped.notes)


@pytest.mark.parametrize(
    "text,metres", [("move forward 1e-3 m", 0.001), ("move forward 2.5e1 cm", 0.25), ("move forward 5E-1 m", 0.5)]
)
def test_scientific_notation_is_read_whole(text: str, metres: float) -> None:
    """'1e-3 m' once read as 3 m: an exponent must never be mistaken for the magnitude."""
    action = parse_reply(text, ParserConfig(snap_to_trained=False))
    assert isinstance(action, Action) and action.magnitude == pytest.approx(metres)


def test_backward_when_allowed() -> None:
    config = ParserConfig(allow_backward=True)
    for text, cm in [("move backward 50 cm", 50), ("go back 1 m", 75), ("Reverse.", 25), ("50 cm backwards", 50)]:
        action = parse_reply(text, config)
        assert isinstance(action, Action), (text, action)
        assert (action.kind, round(action.magnitude * 100)) == (B, cm)


def test_missing_magnitude_fails_without_a_default() -> None:
    config = ParserConfig(default_distance_m=0.0, default_angle_rad=0.0)
    for text in ("move forward", "turn left"):
        result = parse_reply(text, config)
        assert isinstance(result, ParseFailure) and "no default" in result.reason


def test_stop_is_a_terminal_action_with_zero_magnitude() -> None:
    action = parse_reply("Stop here, the goal is reached.")
    assert isinstance(action, Action)
    assert action.is_stop and action.magnitude == 0.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_an_action_or_a_failure(text: str) -> None:
    result = parse_reply(text)
    assert isinstance(result, (Action, ParseFailure))
    if isinstance(result, Action) and not result.is_stop:
        assert (
            0.0 < result.magnitude <= math.radians(45) + 1e-9 if result.kind.is_turn else 0.0 < result.magnitude <= 0.75
        )
