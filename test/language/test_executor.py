"""Action executor: segments from actions, closed-loop ends, re-queries, stop, e-stop, pre-emption, watchdog."""

from __future__ import annotations

import math

import pytest

from anynav.language import (
    ActionExecutor,
    ExecutorConfig,
    ExecutorState,
    InstructionError,
    ParserConfig,
    Pose2D,
    Velocity,
    parse_reply,
    segment_for,
    watchdog_expired,
)

TICK = 0.02
FORWARD_75 = "The next action is move forward 75 cm."
LEFT_45 = "The next action is turn left 45 degree."
STOP = "I think I should stop because I have finished the instruction."


def started(config: ExecutorConfig | None = None, parser: ParserConfig | None = None) -> tuple[ActionExecutor, int]:
    executor = ActionExecutor(config, parser)
    out = executor.start(0.0, "walk to the door")
    assert out.query is not None
    return executor, out.query.request_id


def run_open_loop(executor: ActionExecutor, since: float, until: float) -> list[tuple[float, Velocity]]:
    trace = []
    t = since
    while t < until - 1e-9:
        t = round(t + TICK, 6)
        trace.append((t, executor.tick(t).velocity))
    return trace


@pytest.mark.parametrize(
    ("text", "velocity", "seconds"),
    [
        ("The next action is move forward 25 cm.", Velocity(0.5, 0.0, 0.0), 0.5),
        ("The next action is move forward 50 cm.", Velocity(0.5, 0.0, 0.0), 1.0),
        (FORWARD_75, Velocity(0.5, 0.0, 0.0), 1.5),
        ("The next action is turn left 15 degree.", Velocity(0.0, 0.0, math.pi / 6), 0.5),
        ("The next action is turn right 30 degree.", Velocity(0.0, 0.0, -math.pi / 6), 1.0),
        (LEFT_45, Velocity(0.0, 0.0, math.pi / 6), 1.5),
    ],
)
def test_navilas_velocity_and_duration(text: str, velocity: Velocity, seconds: float) -> None:
    action = parse_reply(text)
    got_velocity, got_seconds = segment_for(action, ExecutorConfig())  # type: ignore[arg-type]
    assert got_velocity == pytest.approx(velocity) and got_seconds == pytest.approx(seconds)


def test_open_loop_segment_runs_its_nominal_time_then_asks_again() -> None:
    executor, request = started()
    assert executor.state is ExecutorState.QUERYING and executor.tick(0.5).velocity == (0.0, 0.0, 0.0)
    out = executor.on_reply(1.0, request, FORWARD_75)
    assert out.state is ExecutorState.EXECUTING and out.velocity == Velocity(0.5, 0.0, 0.0)
    assert executor.moving
    assert executor.tick(2.49).velocity == Velocity(0.5, 0.0, 0.0)
    ended = executor.tick(2.5)
    assert ended.state is ExecutorState.QUERYING and ended.velocity == (0.0, 0.0, 0.0)
    assert ended.query is not None and ended.query.request_id == request + 1
    assert ended.query.instruction == "walk to the door"
    assert any("nominal duration" in event for event in ended.events)


def test_stop_is_terminal() -> None:
    executor, request = started()
    out = executor.on_reply(1.0, request, STOP)
    assert out.state is ExecutorState.STOPPED and out.velocity == (0.0, 0.0, 0.0) and out.query is None
    assert "VLA said stop" in executor.reason
    assert all(v == (0.0, 0.0, 0.0) for _, v in run_open_loop(executor, 1.0, 5.0))
    assert executor.tick(60.0).query is None and executor.state is ExecutorState.STOPPED


def drive(executor: ActionExecutor, speed: float, yaw_rate_scale: float, start: Pose2D, t0: float, limit: float):
    """Integrate the commanded velocity with a robot that tracks it at a scale; returns (t, pose, output)."""
    x, y, yaw = start
    t = t0
    out = executor.tick(t, Pose2D(x, y, yaw))
    while executor.state is ExecutorState.EXECUTING and t < limit:
        vx, _, wz = out.velocity
        x += vx * speed * math.cos(yaw) * TICK
        y += vx * speed * math.sin(yaw) * TICK
        yaw = math.atan2(math.sin(yaw + wz * yaw_rate_scale * TICK), math.cos(yaw + wz * yaw_rate_scale * TICK))
        t = round(t + TICK, 6)
        out = executor.tick(t, Pose2D(x, y, yaw))
    return t, Pose2D(x, y, yaw), out


def test_closed_loop_ends_when_odometry_shows_the_distance() -> None:
    executor, request = started()
    start = Pose2D(1.0, 2.0, math.radians(60))
    executor.tick(0.9, start)
    executor.on_reply(1.0, request, FORWARD_75)
    assert executor.segment is not None and executor.segment.limit_s == pytest.approx(2.25)
    t, pose, out = drive(executor, 1.25, 1.0, start, 1.0, 10.0)  # robot 25 % faster than commanded
    travelled = math.hypot(pose.x - start.x, pose.y - start.y)
    assert 0.75 <= travelled < 0.75 + 0.625 * TICK + 1e-9
    assert 2.2 - 1e-9 <= t <= 2.2 + TICK + 1e-9
    assert out.state is ExecutorState.QUERYING and any("target reached" in e for e in out.events)


def test_closed_loop_times_out_at_one_and_a_half_nominal() -> None:
    executor, request = started()
    executor.tick(0.9, Pose2D(0.0, 0.0, 0.0))
    executor.on_reply(1.0, request, FORWARD_75)
    t, pose, out = drive(executor, 0.5, 1.0, Pose2D(0.0, 0.0, 0.0), 1.0, 10.0)  # robot at half speed
    assert t == pytest.approx(1.0 + 2.25, abs=TICK / 2)
    assert pose.x < 0.75
    assert any("timed out" in event for event in out.events)


def test_closed_loop_turn_across_the_yaw_wrap() -> None:
    executor, request = started()
    start = Pose2D(0.0, 0.0, math.radians(170))
    executor.tick(0.9, start)
    executor.on_reply(1.0, request, LEFT_45)
    _, pose, out = drive(executor, 1.0, 1.2, start, 1.0, 10.0)
    turned = math.degrees(math.remainder(pose.yaw - start.yaw, 2 * math.pi))
    assert 45.0 <= turned < 45.0 + 1.0
    assert out.state is ExecutorState.QUERYING


def test_turn_right_closed_loop_counts_clockwise_rotation() -> None:
    executor, request = started()
    executor.tick(0.9, Pose2D(0.0, 0.0, 0.0))
    executor.on_reply(1.0, request, "The next action is turn right 30 degree.")
    _, pose, _ = drive(executor, 1.0, 1.0, Pose2D(0.0, 0.0, 0.0), 1.0, 10.0)
    assert -31.0 < math.degrees(pose.yaw) <= -30.0


def test_odometry_lost_mid_segment_falls_back_to_nominal_time() -> None:
    executor, request = started()
    executor.tick(0.9, Pose2D(0.0, 0.0, 0.0))
    executor.on_reply(1.0, request, FORWARD_75)
    assert executor.tick(1.5, Pose2D(0.2, 0.0, 0.0)).state is ExecutorState.EXECUTING
    assert executor.tick(2.48, None).state is ExecutorState.EXECUTING
    out = executor.tick(2.5, None)
    assert out.state is ExecutorState.QUERYING and any("odometry lost" in e for e in out.events)


def test_open_loop_config_ignores_odometry() -> None:
    executor, request = started(ExecutorConfig(closed_loop=False))
    executor.tick(0.9, Pose2D(0.0, 0.0, 0.0))
    executor.on_reply(1.0, request, FORWARD_75)
    assert executor.tick(2.0, Pose2D(5.0, 0.0, 0.0)).state is ExecutorState.EXECUTING
    assert executor.tick(2.5, Pose2D(5.0, 0.0, 0.0)).state is ExecutorState.QUERYING


def test_robot_speeds_are_per_robot() -> None:
    executor, request = started(ExecutorConfig(forward_speed_mps=0.25, turn_rate_radps=1.0))
    out = executor.on_reply(0.0, request, FORWARD_75)
    assert out.velocity == Velocity(0.25, 0.0, 0.0)
    assert executor.segment is not None and executor.segment.nominal_s == pytest.approx(3.0)


def test_backward_segment_when_allowed() -> None:
    executor, request = started(parser=ParserConfig(allow_backward=True))
    executor.tick(0.9, Pose2D(0.0, 0.0, math.pi))
    out = executor.on_reply(1.0, request, "move backward 50 cm")
    assert out.velocity == Velocity(-0.5, 0.0, 0.0)
    _, pose, _ = drive(executor, 1.0, 1.0, Pose2D(0.0, 0.0, math.pi), 1.0, 10.0)
    assert 0.5 <= pose.x < 0.52  # facing -x, backing up moves +x


def test_unparseable_replies_are_requeried_then_fail() -> None:
    executor, request = started(ExecutorConfig(max_parse_failures=2))
    for attempt in (1, 2):
        out = executor.on_reply(float(attempt), request, "I am not sure what to do.")
        assert out.state is ExecutorState.QUERYING and out.velocity == (0.0, 0.0, 0.0)
        assert out.query is not None and out.query.request_id == request + 1
        assert any(f"asking again ({attempt}/2)" in event for event in out.events)
        request = out.query.request_id
    out = executor.on_reply(3.0, request, "Still not sure.")
    assert out.state is ExecutorState.FAILED and out.query is None
    assert "3 unparseable replies" in executor.reason


def test_a_good_reply_resets_the_parse_failure_count() -> None:
    executor, request = started(ExecutorConfig(max_parse_failures=1))
    request = executor.on_reply(0.1, request, "hmm").query.request_id  # type: ignore[union-attr]
    executor.on_reply(0.2, request, "The next action is move forward 25 cm.")
    request = executor.tick(0.75).query.request_id  # type: ignore[union-attr]
    out = executor.on_reply(0.8, request, "hmm")
    assert out.state is ExecutorState.QUERYING


def test_zero_tolerance_fails_on_the_first_garbage() -> None:
    executor, request = started(ExecutorConfig(max_parse_failures=0))
    assert executor.on_reply(0.1, request, "garbage").state is ExecutorState.FAILED


def test_query_watchdog_fails_to_zero_velocity() -> None:
    executor, _ = started(ExecutorConfig(query_timeout_s=2.0))
    assert executor.tick(2.0).state is ExecutorState.QUERYING
    out = executor.tick(2.01)
    assert out.state is ExecutorState.FAILED and out.velocity == (0.0, 0.0, 0.0)
    assert "no reply within 2 s" in executor.reason


def test_client_failure_fails_the_instruction() -> None:
    executor, request = started()
    out = executor.on_query_failed(request, "connection refused")
    assert out.state is ExecutorState.FAILED and "connection refused" in executor.reason


def test_stale_and_unexpected_replies_are_ignored() -> None:
    executor, first = started()
    second = executor.start(0.5, "go to the kitchen").query.request_id  # type: ignore[union-attr]
    out = executor.on_reply(0.6, first, FORWARD_75)
    assert out.state is ExecutorState.QUERYING and any("ignored" in e for e in out.events)
    assert executor.on_query_failed(first, "late").state is ExecutorState.QUERYING
    executor.on_reply(0.7, second, FORWARD_75)
    assert executor.on_reply(0.8, second, LEFT_45).velocity == Velocity(0.5, 0.0, 0.0)


def test_new_instruction_preempts_a_running_segment() -> None:
    executor, request = started()
    executor.on_reply(0.1, request, FORWARD_75)
    out = executor.start(0.5, "turn around")
    assert out.state is ExecutorState.QUERYING and out.velocity == (0.0, 0.0, 0.0)
    assert out.query is not None and out.query.instruction == "turn around"


def test_estop_stops_everything_until_a_new_instruction() -> None:
    executor, request = started()
    executor.on_reply(0.1, request, FORWARD_75)
    out = executor.estop()
    assert out.state is ExecutorState.STOPPED and out.velocity == (0.0, 0.0, 0.0)
    assert executor.on_reply(0.6, request, FORWARD_75).state is ExecutorState.STOPPED
    assert executor.tick(1.0).velocity == (0.0, 0.0, 0.0)
    assert executor.start(2.0, "walk to the door").state is ExecutorState.QUERYING


def test_cancel_returns_to_idle() -> None:
    executor, request = started()
    executor.on_reply(0.1, request, FORWARD_75)
    assert executor.cancel().state is ExecutorState.IDLE
    assert executor.tick(0.3).velocity == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("blank", ["", "   ", "\n"])
def test_blank_instruction_is_refused(blank: str) -> None:
    with pytest.raises(InstructionError, match="cancel"):
        ActionExecutor().start(0.0, blank)


@pytest.mark.parametrize(
    ("last", "now", "ttl", "expired"),
    [(None, 0.0, 1.0, True), (0.0, 1.0, 1.0, False), (0.0, 1.01, 1.0, True), (5.0, 4.0, 1.0, False)],
)
def test_watchdog(last: float | None, now: float, ttl: float, expired: bool) -> None:
    assert watchdog_expired(last, now, ttl) is expired
