"""Exceptions raised while loading, exporting and running learned navigation policies."""

from __future__ import annotations


class PolicyError(Exception):
    """Base class of every policy error."""


class PolicyConfigError(PolicyError, ValueError):
    """A policy configuration value is out of range or unknown (the message names the field)."""


class CheckpointError(PolicyError):
    """A checkpoint file cannot be read as weights (missing, not a torch file, no state_dict)."""


class StateDictMismatchError(CheckpointError):
    """A state_dict does not match the model exactly: lists every missing, unexpected and misshapen key."""

    def __init__(
        self,
        model: str,
        missing: list[str],
        unexpected: list[str],
        misshapen: list[tuple[str, tuple[int, ...], tuple[int, ...]]],
    ) -> None:
        lines = [f"state_dict does not match {model}:"]
        if missing:
            lines.append(f"  missing keys ({len(missing)}): {', '.join(missing)}")
        if unexpected:
            lines.append(f"  unexpected keys ({len(unexpected)}): {', '.join(unexpected)}")
        for key, expected, got in misshapen:
            lines.append(f"  shape mismatch {key}: model {list(expected)}, checkpoint {list(got)}")
        super().__init__("\n".join(lines))
        self.missing = missing
        self.unexpected = unexpected
        self.misshapen = misshapen


class ExportError(PolicyError):
    """An export could not be written or the exported graphs disagree with torch."""


class ModelCardError(PolicyError):
    """A model card is missing, malformed, or names graphs that do not match it."""


class PolicyInputError(PolicyError, ValueError):
    """A runtime input (frame, goal, positions) has the wrong shape, type, order or value."""
