"""RateGate fires at a fixed rate of sim time without drift."""

from __future__ import annotations

import pytest

from anynav.sim.schedule import RateGate


def test_fires_at_exact_multiples_of_the_period() -> None:
    gate = RateGate(5.0)
    fired = [round(k * 0.01, 2) for k in range(1001) if gate.due(k * 0.01)]
    assert fired == [round(0.2 * i, 2) for i in range(51)]


def test_skips_missed_firings_instead_of_bursting() -> None:
    gate = RateGate(10.0)
    assert gate.due(0.0)
    assert gate.due(1.05)  # ten firings were missed: one is reported
    assert not gate.due(1.09)
    assert gate.due(1.1)


def test_rejects_a_bad_rate() -> None:
    with pytest.raises(ValueError, match="rate_hz"):
        RateGate(0.0)
