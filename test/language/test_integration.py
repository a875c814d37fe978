"""History + client + runner + executor together against scripted servers on loopback, as a VLA node runs them."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from anynav.language import (
    ActionExecutor,
    ExecutorConfig,
    ExecutorState,
    FrameHistory,
    FrameHistoryConfig,
    NavilaTcpClient,
    NavilaTcpConfig,
    OpenAIChatClient,
    OpenAIChatConfig,
    Pose2D,
    QueryResult,
    QueryRunner,
    VlaClient,
)
from anynav.language.testing_servers import (
    NAVILA_DEMO_SCRIPT,
    Behaviour,
    ScriptedNavilaServer,
    ScriptedOpenAIServer,
    ScriptedReply,
)

TICK = 0.02


def run_instruction(client: VlaClient, instruction: str, executor: ActionExecutor, wall_limit_s: float = 5.0):
    """Drive a perfect unicycle with the executor's commands; camera at 25 Hz, odometry every tick.

    Simulated time advances one tick per loop; while a query is out the loop also waits a little
    real time, so the robot stands still in simulated time exactly as long as the loop spins.
    Returns the final pose, the history and every velocity commanded.
    """
    history = FrameHistory(FrameHistoryConfig(image_size=32))
    runner = QueryRunner(client)
    pose = Pose2D(0.0, 0.0, 0.0)
    t = 0.0
    history.offer(t, np.full((24, 32, 3), 200, np.uint8), pose=pose)
    history.reset()
    out = executor.start(t, instruction)
    commanded = []
    wall_end = time.monotonic() + wall_limit_s
    step = 0
    while executor.state in (ExecutorState.QUERYING, ExecutorState.EXECUTING) and time.monotonic() < wall_end:
        if out.query is not None:
            runner.submit(out.query.request_id, history.sample(), out.query.instruction)
        for request_id, result in runner.poll():
            out = (
                executor.on_reply(t, request_id, result.text)
                if result.ok
                else executor.on_query_failed(request_id, result.error or "")
            )
            if out.query is not None:
                runner.submit(out.query.request_id, history.sample(), out.query.instruction)
        if executor.state is ExecutorState.QUERYING:
            time.sleep(0.002)
        vx, _, wz = out.velocity
        commanded.append(out.velocity)
        pose = Pose2D(
            pose.x + vx * math.cos(pose.yaw) * TICK, pose.y + vx * math.sin(pose.yaw) * TICK, pose.yaw + wz * TICK
        )
        t = round(t + TICK, 6)
        step += 1
        if step % 2 == 0:
            view = np.full((24, 32, 3), (step % 256, step // 256, 0), np.uint8)  # a distinct view per frame
            history.offer(t, view, pose=pose, moving=executor.moving)
        out = executor.tick(t, pose)
    runner.close(0.1)
    return pose, history, commanded


def test_navila_server_walks_the_script_and_stops() -> None:
    with ScriptedNavilaServer(NAVILA_DEMO_SCRIPT) as server:
        client = NavilaTcpClient(NavilaTcpConfig(host=server.host, port=server.port, timeout_s=1.0))
        executor = ActionExecutor()
        pose, history, commanded = run_instruction(client, "walk forward then turn left .", executor)
    assert executor.state is ExecutorState.STOPPED, executor.reason
    assert commanded[-1] == (0.0, 0.0, 0.0)
    # forward 1.5 m, left 90 degrees, forward 0.5 m (closed loop: within one tick of motion)
    assert pose.x == pytest.approx(1.5, abs=0.03) and pose.y == pytest.approx(0.5, abs=0.03)
    assert math.degrees(pose.yaw) == pytest.approx(90.0, abs=1.5)
    assert len(server.requests) == len(NAVILA_DEMO_SCRIPT)
    assert all(len(request.images) == 8 for request in server.requests)
    assert {request.instruction for request in server.requests} == {"Walk forward then turn left."}
    assert 1 + 8 + 6 - 1 <= len(history) <= 1 + 8 + 6 + 1  # one frame per 25 cm / 15 degrees
    first_request, last_request = server.requests[0].images, server.requests[-1].images
    assert len(set(first_request)) == 2  # black padding + the start view
    assert len(set(last_request)) == 8  # by then a real history


def test_silent_server_ends_in_stop_within_the_client_timeout() -> None:
    with ScriptedNavilaServer([ScriptedReply(behaviour=Behaviour.HANG)]) as server:
        config = NavilaTcpConfig(
            host=server.host, port=server.port, timeout_s=0.15, max_attempts=2, retry_backoff_s=0.02
        )
        executor = ActionExecutor(ExecutorConfig(query_timeout_s=30.0))
        began = time.monotonic()
        _, _, commanded = run_instruction(NavilaTcpClient(config), "go", executor)
        took = time.monotonic() - began
    assert executor.state is ExecutorState.FAILED
    assert "no reply from" in executor.reason
    assert set(commanded) == {(0.0, 0.0, 0.0)}
    assert took < config.worst_case_s + 0.5


def test_executor_watchdog_fires_before_a_slow_client_gives_up() -> None:
    with ScriptedNavilaServer([ScriptedReply(behaviour=Behaviour.HANG)]) as server:
        config = NavilaTcpConfig(host=server.host, port=server.port, timeout_s=2.0, max_attempts=1)
        executor = ActionExecutor(ExecutorConfig(query_timeout_s=0.3))
        _, _, commanded = run_instruction(NavilaTcpClient(config), "go", executor)
    assert executor.state is ExecutorState.FAILED and "ExecutorConfig.query_timeout_s" in executor.reason
    assert set(commanded) == {(0.0, 0.0, 0.0)}


def test_openai_server_garbage_then_actions() -> None:
    script = ["Hmm, interesting hallway.", "Action: turn right 30 degrees", "Stop."]
    with ScriptedOpenAIServer(script, api_key="sk-x") as server:
        config = OpenAIChatConfig(base_url=server.base_url, model="m", api_key="sk-x", timeout_s=1.0)
        executor = ActionExecutor()
        pose, _, _ = run_instruction(OpenAIChatClient(config, environ={}), "face the window", executor)
    assert executor.state is ExecutorState.STOPPED
    assert math.degrees(pose.yaw) == pytest.approx(-30.0, abs=1.5)
    assert len(server.requests) == 3


def test_dropped_connection_recovers_by_retry() -> None:
    script = [ScriptedReply(behaviour=Behaviour.DROP), "The next action is move forward 25 cm.", "Stop."]
    with ScriptedNavilaServer(script) as server:
        client = NavilaTcpClient(
            NavilaTcpConfig(host=server.host, port=server.port, timeout_s=1.0, retry_backoff_s=0.01)
        )
        executor = ActionExecutor()
        pose, _, _ = run_instruction(client, "go", executor)
    assert executor.state is ExecutorState.STOPPED
    assert pose.x == pytest.approx(0.25, abs=0.02)


class _Broken:
    def query(self, _images: list[bytes], _instruction: str) -> QueryResult:
        raise RuntimeError("bug in a client")


class _Slow:
    def query(self, _images: list[bytes], _instruction: str) -> QueryResult:
        time.sleep(0.2)
        return QueryResult("Stop.", (), 0.2)


def wait_for(runner: QueryRunner, count: int, limit_s: float = 2.0) -> list:
    results: list = []
    end = time.monotonic() + limit_s
    while len(results) < count and time.monotonic() < end:
        results += runner.poll()
        time.sleep(0.005)
    return results


def test_runner_turns_a_raising_client_into_a_failure() -> None:
    runner = QueryRunner(_Broken())
    runner.submit(7, [b"x"], "go")
    ((request_id, result),) = wait_for(runner, 1)
    assert request_id == 7 and not result.ok and "bug in a client" in (result.error or "")


def test_runner_bounds_queries_in_flight() -> None:
    runner = QueryRunner(_Slow(), max_in_flight=2)
    for request_id in (1, 2, 3):
        runner.submit(request_id, [b"x"], "go")
    assert runner.in_flight == 2
    results = dict(wait_for(runner, 3))
    assert not results[3].ok and "in flight" in (results[3].error or "")
    assert results[1].text == results[2].text == "Stop."
    runner.close()
    assert runner.in_flight == 0
