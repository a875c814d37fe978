"""Exceptions raised by the bag recorder and bag recovery."""

from __future__ import annotations


class DataError(Exception):
    """Base class of every error raised by anynav.data."""


class RecorderConfigError(DataError, ValueError):
    """A recorder setting is out of range; the message names the field and the allowed values."""


class RecorderError(DataError):
    """The bag cannot be written: output exists, the writer failed, the recorder is closed."""


class RecoveryError(DataError):
    """A bag directory cannot be recovered: not a directory, no .mcap files, unreadable file."""
