"""NaVILA's navigation prompt and the instruction clean-up its training data went through."""

from __future__ import annotations

import re

SYSTEM_PROMPT = (
    "You are a helpful language and vision assistant. You are able to understand the visual content "
    "that the user provides, and assist the user with a variety of tasks using natural language."
)
"""System turn of VILA's llama_3 conversation template, which NaVILA was trained and served with."""

IMAGE_TOKEN = "<image>"

_AFTER_FULL_STOP = re.compile(r"(?<=\.\s)[a-z]")
_SPACE_BEFORE_FULL_STOP = re.compile(r"\s+\.")


def normalise_instruction(instruction: str) -> str:
    """Clean an instruction the way NaVILA's training set was cleaned, so inference stays in distribution.

    Line breaks become spaces, the text is lower-cased with its first letter and every letter
    after ". " capitalised, and spaces before a full stop are removed. Leading and trailing
    whitespace is dropped (training instructions had none).
    """
    text = instruction.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").strip()
    text = text[:1].upper() + text[1:].lower()
    text = _AFTER_FULL_STOP.sub(lambda match: match.group().upper(), text)
    return _SPACE_BEFORE_FULL_STOP.sub(".", text)


def navigation_prompt(instruction: str, num_frames: int = 8) -> str:
    """The user turn NaVILA was trained on, with one ``<image>`` placeholder per frame.

    ``num_frames - 1`` history frames come first, the current observation last. The instruction
    is normalised here, so callers pass the operator's text as typed.
    """
    if num_frames < 2:
        raise ValueError(
            f"num_frames={num_frames}: NaVILA's prompt needs at least one history frame and the current one"
        )
    history = f"{IMAGE_TOKEN}\n" * (num_frames - 1)
    return (
        "Imagine you are a robot programmed for navigation tasks. You have been given a video "
        f"of historical observations {history}, and current observation {IMAGE_TOKEN}\n. "
        f'Your assigned task is: "{normalise_instruction(instruction)}" '
        "Analyze this series of images to decide your next action, which could be turning left or right "
        "by a specific degree, moving forward a certain distance, or stop if the task is completed."
    )


def prompt_text_parts(instruction: str, num_frames: int = 8) -> list[str]:
    """The prompt split at its image placeholders: ``num_frames + 1`` texts to interleave with the frames.

    Chat APIs take images as separate content parts; putting them exactly where NaVILA's
    ``<image>`` tokens were keeps the token order the model was trained on.
    """
    return navigation_prompt(instruction, num_frames).split(IMAGE_TOKEN)
