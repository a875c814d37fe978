"""Exceptions raised by the locomotion cores (policy spec, observation builder, ONNX runner)."""

from __future__ import annotations


class LocomotionError(Exception):
    """Base class of every locomotion error."""


class SpecError(LocomotionError, ValueError):
    """A locomotion spec (YAML or dataclass) has a bad or unknown field.

    ``field`` is the dotted path of the offending field (``joints[3].kp``), ``source`` the file.
    """

    def __init__(self, field: str, reason: str, source: str | None = None) -> None:
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{field}: {reason}")
        self.field = field
        self.reason = reason
        self.source = source

    def at(self, prefix: str, source: str | None = None) -> SpecError:
        """The same error with `prefix` put in front of the field path (and the file named)."""
        field = f"{prefix}.{self.field}" if prefix else self.field
        return SpecError(field, self.reason, source or self.source)


class StateError(LocomotionError, ValueError):
    """A robot state, command, action or height map handed to the builder has the wrong shape or is missing."""


class PolicyLoadError(LocomotionError):
    """An ONNX policy file cannot be loaded or its graph has an unusable signature."""


class ControllerConfigError(LocomotionError, ValueError):
    """A safety or velocity setting is out of range, or the policies handed to the controller do not fit together."""
