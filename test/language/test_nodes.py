"""The vla and executor nodes on real DDS with scripted servers on both protocols: success, failure, pre-emption."""

from __future__ import annotations

import math

import pytest
from graph_harness import LanguageGraph, Record, motion_runs

from anynav.language.errors import LanguageConfigError
from anynav.language.parser import parse_reply
from anynav.language.prompt import normalise_instruction
from anynav.language.testing_servers import (
    Behaviour,
    ScriptedNavilaServer,
    ScriptedOpenAIServer,
    ScriptedReply,
)
from anynav.language.vla_messages import ActionMessage
from anynav.language.vla_node import VlaNode
from anynav.ros import new_message
from anynav.ros.dds.context import default_context
from anynav.ros.params import Parameter

FORWARD_25 = "The next action is move forward 25 cm."
LEFT_15 = "The next action is turn left 15 degree."
FORWARD_75 = "The next action is move forward 75 cm."
STOP = "I think I should stop because I have finished the instruction."
STOPPED = (0.0, 0.0)


def serve(protocol: str, script: list, **kwargs):
    """A scripted server and the vla parameters that point at it."""
    if protocol == "navila":
        server = ScriptedNavilaServer(script, **kwargs)
        return server, {"server": f"tcp://127.0.0.1:{server.port}"}
    server = ScriptedOpenAIServer(script, api_key="sk-test", **kwargs)
    return server, {"server": server.base_url, "model": "scripted-vla", "api_key": "sk-test"}


def finished(graph: LanguageGraph) -> bool:
    return graph.probe.outcome() not in ("", "idle", "running")


def first_motion_after(record: Record, since: float, velocity: tuple[float, float]) -> float | None:
    return next((t for t, v in record.twists if t >= since - 0.005 and v == velocity), None)


@pytest.mark.parametrize("protocol", ["navila", "openai"])
def test_scripted_instruction_drives_the_robot_and_stops(protocol: str) -> None:
    script = [FORWARD_25, LEFT_15, FORWARD_25, STOP]
    instruction = "walk forward , turn left a little and walk on ."
    server, vla = serve(protocol, script)
    with server, LanguageGraph(vla["server"], vla=vla) as graph:
        graph.wait_ready()
        graph.probe.instruct(instruction)
        assert graph.spin_until(lambda: finished(graph), 10.0), graph.record.executor_status[-1:]
        graph.spin_for(0.5)
        record, robot = graph.record, graph.robot
        assert graph.probe.outcome() == "done"
        # The commanded sequence is the script: forward, left, forward at the configured speeds, then zero.
        assert motion_runs(record.twists) == [(1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]
        assert record.twists[-1][1] == STOPPED
        expected_x = 0.25 + 0.25 * math.cos(math.radians(15.0))
        assert robot.x == pytest.approx(expected_x, abs=0.08) and robot.y == pytest.approx(0.065, abs=0.05)
        assert math.degrees(robot.yaw) == pytest.approx(15.0, abs=4.0)
        # Each answer is published with its text and parse; its motion starts only after it arrived.
        answers = [answer for _, answer in record.actions]
        assert [answer.text for answer in answers] == script and record.raw == script
        assert [answer.action.describe() for answer in answers] == [
            "forward 0.25 m",
            "turn_left 15.0 deg",
            "forward 0.25 m",
            "stop",
        ]
        assert all(answer.instruction == instruction.strip() and answer.latency_s < 1.0 for answer in answers)
        previous = 0.0
        for (arrived, _), velocity in zip(record.actions[:3], [(1.0, 0.0), (0.0, 1.0), (1.0, 0.0)]):
            first = first_motion_after(record, arrived, velocity)
            assert first is not None and first - arrived < 0.1
            assert not [t for t, v in record.twists if previous < t < arrived - 0.005 and v == velocity]
            previous = first
        # What the server was sent: NaVILA's 8 frames, a history that grows, the cleaned instruction.
        assert len(server.requests) == len(script)
        assert all(len(request.images) == 8 for request in server.requests)
        assert len(set(server.requests[0].images)) == 2  # black padding + the view at the start
        assert len(set(server.requests[-1].images)) >= 4
        sent = normalise_instruction(instruction)
        assert all(sent in request.instruction for request in server.requests)
        if protocol == "openai":
            assert server.requests[0].headers["Authorization"] == "Bearer sk-test"


FAILURES = {
    # name: (what the server does after one good answer, vla parameters, executor parameters)
    "garbage reply": (ScriptedReply(behaviour=Behaviour.GARBAGE), {}, {}),
    "slow reply": (ScriptedReply(FORWARD_25, delay_s=1.2), {"timeout_s": 3.0}, {"watchdog_s": 0.5}),
    "dropped connection": (ScriptedReply(behaviour=Behaviour.DROP), {"retry_backoff_s": 0.05}, {}),
    "never answers": (ScriptedReply(behaviour=Behaviour.HANG), {"timeout_s": 0.3, "retry_backoff_s": 0.05}, {}),
    "no action in the reply": ("I can see a long corridor.", {}, {"max_parse_failures": 1}),
}


@pytest.mark.parametrize("protocol", ["navila", "openai"])
@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_failure_stops_the_moving_robot_within_the_watchdog(protocol: str, failure: str) -> None:
    after, vla_params, executor_params = FAILURES[failure]
    server, vla = serve(protocol, [FORWARD_25, after])
    with server, LanguageGraph(vla["server"], vla={**vla, **vla_params}, executor=executor_params) as graph:
        watchdog = graph.executor_node.core.config.query_timeout_s
        graph.wait_ready()
        graph.probe.instruct("go")
        assert graph.spin_until(lambda: finished(graph), 5.0)
        failed_at = graph.record.executor_status[-1][0]
        graph.spin_for(1.5 if failure == "slow reply" else 0.5)  # a late answer must not move the robot
        record = graph.record
        assert graph.probe.outcome() == "failed", record.executor_status[-1]
        assert motion_runs(record.twists) == [(1.0, 0.0)]
        moved_until = max(t for t, v in record.twists if v != STOPPED)
        assert failed_at - moved_until < watchdog + 0.3
        after_failure = [v for t, v in record.twists if t >= failed_at]
        assert after_failure and set(after_failure) == {STOPPED}
        assert record.twists[-1][0] - failed_at < 0.3 + 0.15  # zero for stop_hold_s, then silence
        assert graph.robot.x == pytest.approx(0.25, abs=0.06)
        if failure == "slow reply":  # the late answer did arrive, and was ignored
            assert record.actions[-1][0] > failed_at and record.actions[-1][1].action is not None
        assert any(message.startswith("last query failed") for _, _, message in record.vla_status) or (
            failure in ("slow reply", "no action in the reply")
        )


def test_estop_preempts_and_blocks_instructions_until_released() -> None:
    server, vla = serve("navila", [FORWARD_75])
    with server, LanguageGraph(vla["server"], vla=vla) as graph:
        graph.wait_ready()
        graph.probe.instruct("go straight")
        assert graph.spin_until(lambda: any(v != STOPPED for _, v in graph.record.twists), 3.0)
        pressed = graph.probe.estop(True)
        assert graph.spin_until(lambda: graph.probe.outcome() == "e-stop", 1.0)
        graph.probe.instruct("go straight again")
        graph.spin_for(0.4)
        record = graph.record
        first_zero = next(t for t, v in record.twists if t >= pressed and v == STOPPED)
        assert first_zero - pressed < 0.1
        assert not [v for t, v in record.twists if t > first_zero and v != STOPPED]
        assert len(server.requests) == 1 and graph.probe.outcome() == "e-stop"
        assert graph.robot.x < 0.5
        graph.probe.estop(False)
        graph.spin_for(0.2)
        graph.probe.instruct("go straight again")
        assert graph.spin_until(lambda: len(server.requests) == 2, 2.0)


def test_new_instruction_preempts_and_empty_instruction_cancels() -> None:
    server, vla = serve("navila", [FORWARD_75], cycle=True)
    with server, LanguageGraph(vla["server"], vla=vla) as graph:
        graph.wait_ready()
        graph.probe.instruct("go to the door")
        assert graph.spin_until(lambda: any(v != STOPPED for _, v in graph.record.twists), 3.0)
        replaced = graph.probe.instruct("go to the window")
        assert graph.spin_until(lambda: len(server.requests) == 2, 1.0)
        record = graph.record
        first_zero = next(t for t, v in record.twists if t >= replaced and v == STOPPED)
        assert first_zero - replaced < 0.1
        assert "Go to the window" in server.requests[1].instruction
        assert graph.spin_until(lambda: any(t > first_zero and v != STOPPED for t, v in record.twists), 2.0)
        cancelled = graph.probe.instruct("")
        assert graph.spin_until(lambda: graph.probe.outcome() == "cancelled", 1.0)
        graph.spin_for(0.5)
        assert not [v for t, v in record.twists if t > cancelled + 0.05 and v != STOPPED]
        assert record.twists[-1][1] == STOPPED


def test_a_query_waits_for_the_camera_then_fails_without_one() -> None:
    server, vla = serve("navila", [FORWARD_25, STOP])
    with server, LanguageGraph(vla["server"], vla={**vla, "camera_timeout_s": 0.4}, camera=False) as graph:
        assert graph.spin_until(lambda: graph.probe.instruction_pub.get_subscription_count() > 0, 5.0)
        asked = graph.probe.instruct("go")
        assert graph.spin_until(lambda: finished(graph), 2.0)
        record = graph.record
        assert graph.probe.outcome() == "failed" and not server.requests
        arrived, answer = record.actions[-1]
        assert answer.error.startswith("camera: no camera frame within camera_timeout_s=0.4 s")
        assert 0.4 <= arrived - asked < 0.6
        assert {v for _, v in record.twists} == {STOPPED}
        # A camera that starts within camera_timeout_s is waited for.
        graph.probe.instruct("go again")
        graph.spin_for(0.2)
        graph.robot.camera = True
        assert graph.spin_until(lambda: finished(graph), 3.0) and graph.probe.outcome() == "done"
        assert len(server.requests) == 2 and motion_runs(record.twists) == [(1.0, 0.0)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"server": "ftp://gpu-box:21"}, "unknown scheme 'ftp'"),
        ({"server": "tcp://gpu-box:54321", "image_transport": "h264"}, "image_transport='h264'"),
        ({"server": "http://gpu-box:8000/v1", "max_attempts": 2, "timeout_s": -1.0}, "timeout_s"),
    ],
)
def test_bad_vla_parameters_fail_at_start(params: dict, message: str) -> None:
    default_context.init([])
    with pytest.raises(Exception, match=message) as info:
        VlaNode(parameter_overrides=[Parameter(k, v) for k, v in {"model": "m", **params}.items()])
    assert type(info.value).__module__.startswith("anynav.")
    assert isinstance(info.value, LanguageConfigError) or "outside the allowed range" in str(info.value)


def test_answers_meant_for_another_executor_are_ignored() -> None:
    server, vla = serve("navila", [ScriptedReply(FORWARD_25, delay_s=0.6), STOP])
    with server, LanguageGraph(vla["server"], vla=vla) as graph:
        graph.wait_ready()
        graph.probe.instruct("go")
        assert graph.spin_until(lambda: len(server.requests) == 1, 2.0)
        pending = graph.executor_node.core.pending_request
        forged = ActionMessage(
            "another-session",
            1,
            pending.request_id,
            "go",
            "move forward 75 cm",
            None,
            parse_reply("move forward 75 cm"),
            None,
            0.01,
            1,
        )
        graph.probe.actions_pub.publish(new_message("std_msgs/msg/String", data=forged.to_json()))
        graph.spin_for(0.3)
        assert {v for _, v in graph.record.twists} == {STOPPED}
        assert graph.spin_until(lambda: finished(graph), 3.0) and graph.probe.outcome() == "done"
        assert motion_runs(graph.record.twists) == [(1.0, 0.0)]
        assert graph.robot.x == pytest.approx(0.25, abs=0.06)


def test_a_vla_node_started_after_the_query_still_answers_it() -> None:
    server, vla = serve("navila", [FORWARD_25, STOP])
    with server, LanguageGraph(vla["server"], vla=vla) as graph:
        graph.wait_ready()
        graph.spinner.remove_node(graph.vla)
        graph.vla.destroy_node()
        graph.probe.instruct("go")
        graph.spin_for(0.3)
        assert not server.requests and graph.probe.outcome() == "running"
        graph.vla = VlaNode(parameter_overrides=[Parameter(k, v) for k, v in {**vla, "image_size": 32}.items()])
        graph.spinner.add_node(graph.vla)
        assert graph.spin_until(lambda: finished(graph), 3.0) and graph.probe.outcome() == "done"
        assert motion_runs(graph.record.twists) == [(1.0, 0.0)] and len(server.requests) == 2


def test_raw_images_work_as_well_as_compressed_ones() -> None:
    server, vla = serve("navila", [FORWARD_25, STOP])
    with server, LanguageGraph(vla["server"], vla={**vla, "image_transport": "raw"}, raw_images=True) as graph:
        graph.wait_ready()
        graph.probe.instruct("go")
        assert graph.spin_until(lambda: finished(graph), 3.0) and graph.probe.outcome() == "done"
        first, second = (len(set(request.images)) for request in server.requests)
        assert first == 2 and second >= 3  # black padding + start view, then the frames kept while moving
