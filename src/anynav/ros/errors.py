"""Exceptions raised by the node runtime."""

from __future__ import annotations


class RosError(Exception):
    """Base class of every runtime error."""


class BackendError(RosError):
    """The requested backend cannot be used (not installed, unknown name)."""


class InvalidNameError(RosError):
    """A topic or node name is not a valid ROS 2 name."""


class ParameterError(RosError):
    """A parameter has the wrong type, is out of range, unknown or missing."""


class ParamsFileError(ParameterError):
    """A ROS 2 params file cannot be read or does not follow the ros__parameters layout."""
