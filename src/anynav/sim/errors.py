"""Exceptions raised by the MuJoCo simulator core."""

from __future__ import annotations


class SimError(Exception):
    """Base class of every simulator error."""


class ScenarioError(SimError):
    """A scenario file is unreadable or holds an unknown key, a missing key or a bad value.

    ``source`` names the file (or ``<dict>`` when built from memory) and ``key`` the dotted
    path of the offending element (``mission.waypoints[2]``), so the message alone says
    exactly what to fix.
    """

    def __init__(self, source: str, key: str, reason: str) -> None:
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason


class RenderBackendError(SimError):
    """Neither EGL nor OSMesa can render headless; the message names what is missing."""


class StepError(SimError):
    """A step was asked with a time increment the physics cannot take (not a timestep multiple)."""


class StatusError(SimError):
    """A /sim/status payload is not the JSON the sim node writes; the message names the key."""


class SimNodeConfigError(SimError):
    """The sim node's parameters do not fit together or with the scenario; the message names both."""
