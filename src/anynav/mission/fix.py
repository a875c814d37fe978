"""GPS fix validation: is a NavSatFix-like reading good enough to navigate by, and if not, why."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from anynav.mission.errors import MissionConfigError

# sensor_msgs/NavSatStatus.status and sensor_msgs/NavSatFix.position_covariance_type values.
STATUS_NO_FIX = -1
STATUS_FIX = 0
STATUS_SBAS_FIX = 1
STATUS_GBAS_FIX = 2
COVARIANCE_TYPE_UNKNOWN = 0
COVARIANCE_TYPE_APPROXIMATED = 1
COVARIANCE_TYPE_DIAGONAL_KNOWN = 2
COVARIANCE_TYPE_KNOWN = 3


class NavSatFixLike(Protocol):
    """What navigation reads from a sensor_msgs/NavSatFix (anynav.msgs.navigation.GpsFix has it).

    status: NavSatStatus.status (-1 no fix, 0 fix, 1 SBAS, 2 GBAS).
    position_covariance: 9 values (flat or 3x3), row-major ENU (east, north, up), m^2.
    covariance_type: NavSatFix.position_covariance_type (0 unknown .. 3 known).
    stamp_ns: header stamp in nanoseconds.
    """

    @property
    def status(self) -> int: ...
    @property
    def latitude(self) -> float: ...
    @property
    def longitude(self) -> float: ...
    @property
    def position_covariance(self) -> Any: ...
    @property
    def covariance_type(self) -> int: ...
    @property
    def stamp_ns(self) -> int: ...


@dataclass(frozen=True)
class FixPolicy:
    """What makes a fix adequate.

    min_status: lowest NavSatStatus.status accepted, in [0, 2] (0 = any fix).
    max_horizontal_std_m: largest accepted horizontal standard deviation, (0, 100] m.
    accept_unknown_covariance: accept fixes whose covariance type is UNKNOWN (no accuracy
        figure at all); off by default, since then nothing bounds the error.
    max_age_s: a fix older than this (by header stamp) is stale, (0, 60] s.
    """

    min_status: int = STATUS_FIX
    max_horizontal_std_m: float = 3.0
    accept_unknown_covariance: bool = False
    max_age_s: float = 2.0

    def __post_init__(self) -> None:
        if self.min_status not in (STATUS_FIX, STATUS_SBAS_FIX, STATUS_GBAS_FIX):
            raise MissionConfigError(f"min_status={self.min_status!r} must be 0 (fix), 1 (SBAS) or 2 (GBAS)")
        if not (math.isfinite(self.max_horizontal_std_m) and 0.0 < self.max_horizontal_std_m <= 100.0):
            raise MissionConfigError(f"max_horizontal_std_m={self.max_horizontal_std_m!r} must be in (0, 100] metres")
        if not (math.isfinite(self.max_age_s) and 0.0 < self.max_age_s <= 60.0):
            raise MissionConfigError(f"max_age_s={self.max_age_s!r} must be in (0, 60] seconds")


@dataclass(frozen=True)
class FixCheck:
    """Verdict on one fix: ``adequate`` and, when it is not, a ``reason`` an operator can act on."""

    adequate: bool
    reason: str = ""
    horizontal_std_m: float = math.nan


def check_fix(fix: NavSatFixLike | None, policy: FixPolicy, now_ns: int | None = None) -> FixCheck:
    """Judge ``fix``: status, finite position, covariance below the threshold, and age when ``now_ns`` is given."""
    if fix is None:
        return FixCheck(False, "no fix received yet")
    if fix.status < policy.min_status:
        if fix.status <= STATUS_NO_FIX:
            return FixCheck(False, f"receiver reports no fix (status {fix.status})")
        return FixCheck(False, f"fix status {fix.status} is below the required {policy.min_status}")
    if not (math.isfinite(fix.latitude) and math.isfinite(fix.longitude)):
        return FixCheck(False, f"position is not finite (lat {fix.latitude}, lon {fix.longitude})")
    if not (-90.0 <= fix.latitude <= 90.0 and -180.0 <= fix.longitude <= 180.0):
        return FixCheck(False, f"position out of range (lat {fix.latitude}, lon {fix.longitude})")
    if now_ns is not None:
        age_s = (now_ns - fix.stamp_ns) * 1e-9
        if age_s > policy.max_age_s:
            return FixCheck(False, f"fix is {age_s:.1f} s old (max_age_s {policy.max_age_s:g})")
        if -age_s > policy.max_age_s:
            return FixCheck(False, f"fix stamp is {-age_s:.1f} s in the future: GPS and robot clocks disagree")
    if fix.covariance_type == COVARIANCE_TYPE_UNKNOWN:
        if policy.accept_unknown_covariance:
            return FixCheck(True)
        return FixCheck(
            False, "covariance type UNKNOWN: the receiver gives no accuracy (set accept_unknown_covariance to use it)"
        )
    covariance = np.asarray(fix.position_covariance, dtype=float).reshape(-1)
    if covariance.size != 9:
        return FixCheck(False, f"position_covariance has {covariance.size} values, expected 9")
    variance = float(max(covariance[0], covariance[4]))
    if not math.isfinite(variance) or variance < 0.0:
        return FixCheck(False, f"horizontal covariance {variance} is not a finite non-negative variance")
    std = math.sqrt(variance)
    if std > policy.max_horizontal_std_m:
        return FixCheck(
            False, f"horizontal std {std:.1f} m exceeds max_horizontal_std_m {policy.max_horizontal_std_m:g}", std
        )
    return FixCheck(True, "", std)
