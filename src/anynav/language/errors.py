"""Exceptions raised by the language-action stack (VLA clients, reply parser, frame history, executor)."""

from __future__ import annotations


class LanguageError(Exception):
    """Base class of every language-action error."""


class LanguageConfigError(LanguageError, ValueError):
    """A configuration value is out of range, missing or unknown (the message names the field)."""


class FrameError(LanguageError, ValueError):
    """A camera frame handed to the frame history is not an (H, W, 3) uint8 RGB array."""


class InstructionError(LanguageError, ValueError):
    """An instruction is empty or blank; cancel the task instead of starting one."""


class ProtocolError(LanguageError):
    """Bytes on the wire do not follow the protocol: bad length prefix, truncated frame, bad JSON."""
