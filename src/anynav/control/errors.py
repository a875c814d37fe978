"""Exceptions raised by the control cores: waypoint follower and twist mux."""

from __future__ import annotations


class ControlError(Exception):
    """Base class of every control error."""


class ControlConfigError(ControlError, ValueError):
    """A follower or mux setting is out of its allowed range (the message names the field and range)."""


class PathError(ControlError, ValueError):
    """A path handed to the follower cannot be used: wrong shape or non-finite values."""


class UnknownInputError(ControlError, KeyError):
    """A command arrived for a mux input that is not configured (the message lists the configured ones)."""

    def __str__(self) -> str:
        return str(self.args[0])


class EstopResetError(ControlError):
    """The e-stop latch cannot be released yet (the e-stop is still pressed or its heartbeat is missing)."""
