"""Field checks shared by the simulator's config dataclasses."""

from __future__ import annotations

__all__ = ["FieldError", "require"]


class FieldError(ValueError):
    """A config field has a bad value; ``key`` is its path relative to the object checked.

    The scenario loader prefixes the key with where the object sits in the file, so the
    final message reads ``street.yaml: sensors.gps.rate_hz: must be in (0, 100] Hz, got 0``.
    """

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key
        self.reason = reason


def require(ok: bool, key: str, allowed: str, value: object) -> None:
    """Raise FieldError naming the field, the allowed range and the value given, unless ok."""
    if not ok:
        raise FieldError(key, f"must be {allowed}, got {value!r}")
