"""ROS messages ↔ numpy, the same on both backends; malformed input raises MalformedMessageError."""

from anynav.msgs.errors import MalformedMessageError, MessageError, UnknownMessageTypeError

__all__ = ["MalformedMessageError", "MessageError", "UnknownMessageTypeError"]
