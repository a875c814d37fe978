"""Twist mux: priorities, time-to-live, deadman, latching e-stop, and zero whenever upstream stalls."""

from __future__ import annotations

import math

import pytest

from anynav.control import (
    ControlConfigError,
    EstopResetError,
    MuxConfig,
    MuxInput,
    Received,
    TwistMux,
    UnknownInputError,
    Velocity,
    select,
)

MS = 1_000_000
TELEOP, LANGUAGE, AUTONOMY = Velocity(0.4, 0.0, 0.8), Velocity(0.2, 0.1, 0.0), Velocity(0.3, 0.0, -0.1)


def test_higher_priority_wins_while_fresh() -> None:
    mux = TwistMux(MuxConfig())
    mux.set_command("autonomy", AUTONOMY, 0)
    assert (mux.output(0).command, mux.output(0).source) == (AUTONOMY, "autonomy")
    mux.set_command("language", LANGUAGE, 10 * MS)
    assert mux.output(10 * MS).source == "language"
    mux.set_deadman(True, 20 * MS)
    mux.set_command("teleop", TELEOP, 20 * MS)
    assert (mux.output(20 * MS).command, mux.output(20 * MS).source) == (TELEOP, "teleop")


def test_priority_order_is_configurable() -> None:
    config = MuxConfig(inputs=(MuxInput("autonomy", 0.3), MuxInput("teleop", 0.5, needs_deadman=True)))
    mux = TwistMux(config)
    mux.set_deadman(True, 0)
    mux.set_command("teleop", TELEOP, 0)
    mux.set_command("autonomy", AUTONOMY, 0)
    assert mux.output(0).source == "autonomy"


def test_each_input_expires_after_its_ttl() -> None:
    mux = TwistMux(MuxConfig())
    mux.set_command("language", LANGUAGE, 0)
    mux.set_command("autonomy", AUTONOMY, 400 * MS)
    assert mux.output(500 * MS).source == "language"  # 0.5 s TTL, just fresh
    assert mux.output(501 * MS).source == "autonomy"
    out = mux.output(701 * MS)
    assert (out.command, out.source, out.reason) == (Velocity(), None, "no fresh input")


@pytest.mark.parametrize("rate_hz", [10.0, 50.0])
def test_stalled_upstream_gives_zero_within_ttl_plus_one_period(rate_hz: float) -> None:
    config = MuxConfig(rate_hz=rate_hz)
    mux = TwistMux(config)
    period = round(1e9 / rate_hz)
    last_input_ns = 0
    zero_since = None
    for tick in range(int(3 * rate_hz)):
        now = tick * period + 3 * MS  # the output timer is not aligned with the inputs
        if now < 1_000 * MS:
            mux.set_command("autonomy", AUTONOMY, now - 2 * MS)
            last_input_ns = now - 2 * MS
        if mux.output(now).command == Velocity() and zero_since is None:
            zero_since = now
    assert zero_since is not None
    assert zero_since - last_input_ns <= (0.3 * 1e9) + period


def test_teleop_counts_only_with_a_fresh_pressed_deadman() -> None:
    mux = TwistMux(MuxConfig(deadman_ttl_s=0.2))
    mux.set_command("autonomy", AUTONOMY, 0)
    mux.set_command("teleop", TELEOP, 0)
    no_deadman = mux.output(0)
    assert no_deadman.source == "autonomy" and "teleop without deadman" in no_deadman.reason
    mux.set_deadman(True, 0)
    assert mux.output(100 * MS).source == "teleop"
    assert mux.output(250 * MS).source == "autonomy"  # deadman signal went quiet: counts as released
    mux.set_deadman(False, 260 * MS)
    mux.set_command("teleop", TELEOP, 260 * MS)
    mux.set_command("autonomy", AUTONOMY, 260 * MS)
    assert mux.output(260 * MS).source == "autonomy"


def test_estop_latches_until_reset_while_released() -> None:
    mux = TwistMux(MuxConfig())
    mux.set_command("autonomy", AUTONOMY, 0)
    mux.set_estop(True, 10 * MS)
    assert mux.output(20 * MS).command == Velocity()
    with pytest.raises(EstopResetError, match="still pressed"):
        mux.reset_estop(20 * MS)
    mux.set_estop(False, 30 * MS)
    mux.set_command("autonomy", AUTONOMY, 30 * MS)
    latched = mux.output(40 * MS)
    assert (latched.command, latched.source) == (Velocity(), None)
    assert latched.reason == "e-stop latched (e-stop pressed); reset to release"
    mux.reset_estop(50 * MS)
    assert mux.output(60 * MS).source == "autonomy"


def test_estop_heartbeat_must_be_heard_and_its_loss_latches() -> None:
    mux = TwistMux(MuxConfig(estop_heartbeat_s=0.2))
    mux.set_command("autonomy", AUTONOMY, 0)
    assert mux.output(0).reason == "e-stop heartbeat not heard yet"
    mux.set_estop(False, 0)
    assert mux.output(100 * MS).source == "autonomy"
    mux.set_command("autonomy", AUTONOMY, 250 * MS)
    assert "e-stop heartbeat lost 0.25 s ago" in mux.output(250 * MS).reason
    with pytest.raises(EstopResetError, match="heartbeat is not being received"):
        mux.reset_estop(250 * MS)
    mux.set_estop(False, 260 * MS)  # heartbeat back, but the loss latched
    mux.set_command("autonomy", AUTONOMY, 260 * MS)
    assert "latched (e-stop heartbeat was lost for 0.26 s)" in mux.output(260 * MS).reason
    mux.reset_estop(270 * MS)
    assert mux.output(270 * MS).source == "autonomy"


def test_non_finite_command_stops_instead_of_falling_through() -> None:
    mux = TwistMux(MuxConfig())
    mux.set_command("autonomy", AUTONOMY, 0)
    mux.set_command("language", Velocity(math.nan, 0.0, 0.0), 0)
    out = mux.output(0)
    assert (out.command, out.reason) == (Velocity(), "language sent a non-finite command")


def test_clock_jumping_back_makes_inputs_stale() -> None:
    mux = TwistMux(MuxConfig())
    mux.set_command("autonomy", AUTONOMY, 5_000 * MS)
    assert mux.output(4_000 * MS).command == Velocity()


def test_select_is_a_pure_function_of_time_and_inputs() -> None:
    mux = TwistMux(MuxConfig())
    mux.set_command("autonomy", AUTONOMY, 0)
    before = mux.estop
    first = select(mux.config, {"autonomy": Received(0, AUTONOMY)}, None, before, 100 * MS)
    assert first == mux.output(100 * MS) == mux.output(100 * MS)
    assert mux.output(1_000 * MS).command == Velocity()
    assert mux.output(100 * MS) == first  # asking about a later time changed nothing
    assert mux.estop == before


def test_unknown_input_and_bad_config_are_errors() -> None:
    mux = TwistMux(MuxConfig())
    with pytest.raises(UnknownInputError, match="unknown mux input 'nav' .*autonomy, language, teleop"):
        mux.set_command("nav", AUTONOMY, 0)
    with pytest.raises(ControlConfigError, match="repeated: teleop"):
        MuxConfig(inputs=(MuxInput("teleop", 0.5), MuxInput("teleop", 0.3)))
    with pytest.raises(ControlConfigError, match=r"inputs\[autonomy\].ttl_s=0.0 must be in \(0, 10\]"):
        MuxInput("autonomy", 0.0)
    with pytest.raises(ControlConfigError, match="at least one"):
        MuxConfig(inputs=())
    with pytest.raises(ControlConfigError, match="estop_heartbeat_s=-1.0"):
        MuxConfig(estop_heartbeat_s=-1.0)
