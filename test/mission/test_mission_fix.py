"""Fix validation: only a real, fresh, accurate fix is adequate, and the reason says what is wrong."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from anynav.mission import FixPolicy, MissionConfigError, check_fix

FixFactory = Callable[..., Any]

NOW = 10_000_000_000


def test_good_fix_is_adequate(make_fix: FixFactory) -> None:
    check = check_fix(make_fix(48.1, 11.5, stamp_ns=NOW), FixPolicy(), NOW)
    assert check.adequate and check.reason == ""
    assert check.horizontal_std_m == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"status": -1}, "receiver reports no fix (status -1)"),
        ({"latitude": math.nan}, "position is not finite"),
        ({"longitude": math.inf}, "position is not finite"),
        ({"latitude": 91.0}, "position out of range"),
        ({"std_m": 4.0}, "horizontal std 4.0 m exceeds max_horizontal_std_m 3"),
        ({"covariance_type": 0}, "covariance type UNKNOWN"),
        ({"stamp_ns": NOW - 2_500_000_000}, "fix is 2.5 s old"),
        ({"stamp_ns": NOW + 5_000_000_000}, "5.0 s in the future"),
    ],
)
def test_inadequate_fix_says_why(make_fix: FixFactory, kwargs: dict[str, float], reason: str) -> None:
    values = {"latitude": 48.1, "longitude": 11.5, "stamp_ns": NOW} | kwargs
    check = check_fix(make_fix(**values), FixPolicy(), NOW)
    assert not check.adequate
    assert reason in check.reason


def test_missing_fix_is_inadequate() -> None:
    assert check_fix(None, FixPolicy()).reason == "no fix received yet"


def test_policy_can_require_sbas_and_accept_unknown_covariance(make_fix: FixFactory) -> None:
    plain = make_fix(48.1, 11.5, status=0, covariance_type=0)
    assert check_fix(plain, FixPolicy(accept_unknown_covariance=True)).adequate
    assert "below the required 1" in check_fix(plain, FixPolicy(min_status=1, accept_unknown_covariance=True)).reason


def test_nan_covariance_is_inadequate(make_fix: FixFactory) -> None:
    fix = make_fix(48.1, 11.5, std_m=math.nan)
    assert "not a finite non-negative variance" in check_fix(fix, FixPolicy()).reason


def test_message_layer_fix_type_is_accepted() -> None:
    from anynav.msgs.navigation import GpsFix

    fix = GpsFix(
        stamp_ns=NOW,
        latitude=48.1,
        longitude=11.5,
        altitude=520.0,
        status=0,
        position_covariance=np.diag([25.0, 25.0, 100.0]),
        covariance_type=2,
    )
    check = check_fix(fix, FixPolicy(), NOW)
    assert "horizontal std 5.0 m" in check.reason


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_status": 3}, "min_status=3 must be 0 (fix), 1 (SBAS) or 2 (GBAS)"),
        ({"max_horizontal_std_m": 0.0}, "max_horizontal_std_m=0.0 must be in (0, 100]"),
        ({"max_age_s": math.nan}, "max_age_s=nan must be in (0, 60]"),
    ],
)
def test_fix_policy_rejects_bad_values(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(MissionConfigError) as caught:
        FixPolicy(**kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)
