"""Exceptions raised while converting ROS messages."""

from __future__ import annotations


class MessageError(Exception):
    """Base class of every message conversion error."""


class UnknownMessageTypeError(MessageError):
    """A message type is neither in the pinned distro nor among the project's .msg files."""


class MalformedMessageError(MessageError):
    """A message cannot be converted: bad field value, wrong size, unsupported encoding, bad CDR.

    ``field`` names the offending field so a node can log exactly what was wrong.
    """

    def __init__(self, msgtype: str, field: str, reason: str) -> None:
        super().__init__(f"{msgtype}.{field}: {reason}")
        self.msgtype = msgtype
        self.field = field
        self.reason = reason
