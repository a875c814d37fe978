"""NaVILA's prompt text and instruction clean-up."""

from __future__ import annotations

import pytest

from anynav.language import SYSTEM_PROMPT, navigation_prompt, normalise_instruction
from anynav.language.prompt import prompt_text_parts

EXPECTED_PROMPT = (
    "Imagine you are a robot programmed for navigation tasks. You have been given a video of historical "
    "observations <image>\n<image>\n<image>\n<image>\n<image>\n<image>\n<image>\n, and current observation "
    '<image>\n. Your assigned task is: "Walk past the sofa. Stop at the door." Analyze this series of images '
    "to decide your next action, which could be turning left or right by a specific degree, moving forward a "
    "certain distance, or stop if the task is completed."
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("walk past the sofa. stop at the door .", "Walk past the sofa. Stop at the door."),
        ("Walk to the KITCHEN\nthen turn left", "Walk to the kitchen then turn left"),
        ("go forward.   then stop", "Go forward.   then stop"),
        ("  exit the room .\r\nturn right .  ", "Exit the room. Turn right."),
        ("", ""),
    ],
)
def test_instruction_is_cleaned_like_the_training_set(raw: str, clean: str) -> None:
    assert normalise_instruction(raw) == clean


def test_prompt_is_navilas_text_with_eight_image_slots() -> None:
    assert navigation_prompt("walk past the sofa. stop at the door .") == EXPECTED_PROMPT


def test_prompt_parts_interleave_with_frames() -> None:
    parts = prompt_text_parts("walk past the sofa. stop at the door .", 8)
    assert len(parts) == 9
    assert "<image>".join(parts) == EXPECTED_PROMPT
    assert parts[1:7] == ["\n"] * 6


def test_prompt_needs_a_history_frame() -> None:
    with pytest.raises(ValueError, match="num_frames=1"):
        navigation_prompt("go", 1)


def test_system_prompt_is_the_llama3_template_text() -> None:
    assert SYSTEM_PROMPT.startswith("You are a helpful language and vision assistant.")
    assert SYSTEM_PROMPT.endswith("using natural language.")
