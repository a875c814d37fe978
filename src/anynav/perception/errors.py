"""Exceptions raised by the perception cores (height map, camera context)."""

from __future__ import annotations


class PerceptionError(Exception):
    """Base class of every perception error."""


class HeightMapConfigError(PerceptionError, ValueError):
    """A height-map setting is out of range or unknown (the message names the field and range)."""


class CloudError(PerceptionError, ValueError):
    """A point cloud or its pose cannot be used: wrong shape, non-finite pose, degenerate quaternion."""


class ContextConfigError(PerceptionError, ValueError):
    """A camera-context setting is out of range or an unknown preset (the message names it)."""


class InsufficientContextError(PerceptionError):
    """The frame buffer cannot give a context at the trained spacing yet: too little history, a gap, or stale frames."""
