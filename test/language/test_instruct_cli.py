"""`anynav instruct` as a separate process against the vla and executor nodes (real DDS, scripted server)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from graph_harness import LanguageGraph, motion_runs

from anynav.language.instruct_cli import add_arguments, run
from anynav.language.testing_servers import Behaviour, ScriptedNavilaServer, ScriptedReply

FORWARD_25 = "The next action is move forward 25 cm."
STOP = "I think I should stop because I have finished the instruction."


def instruct(*argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "anynav.cli.main", "instruct", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(graph: LanguageGraph, process: subprocess.Popen, timeout_s: float = 20.0) -> tuple[int, str, str]:
    """Spin the graph until the command exits; its exit code, stdout and stderr."""
    assert graph.spin_until(lambda: process.poll() is not None, timeout_s), "anynav instruct did not exit"
    out, err = process.communicate()
    return process.returncode, out, err


def test_wait_done_follows_the_answers_until_stop() -> None:
    with ScriptedNavilaServer([FORWARD_25, STOP]) as server, LanguageGraph(f"tcp://127.0.0.1:{server.port}") as graph:
        graph.wait_ready()
        code, out, err = finish(graph, instruct("walk to the door", "--wait-done"))
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0] == "instruction sent on /instruction: 'walk to the door'"
        assert lines[1].startswith("request 1 (") and lines[1].endswith(f"{FORWARD_25!r} -> forward 0.25 m")
        assert lines[2].endswith(f"{STOP!r} -> stop")
        assert lines[3].startswith("done: VLA said stop")
        assert motion_runs(graph.record.twists) == [(1.0, 0.0)]
        assert "Walk to the door" in server.requests[0].instruction


def test_wait_done_reports_a_failure() -> None:
    script = [ScriptedReply(behaviour=Behaviour.GARBAGE)]
    with ScriptedNavilaServer(script) as server, LanguageGraph(f"tcp://127.0.0.1:{server.port}") as graph:
        graph.wait_ready()
        code, out, _ = finish(graph, instruct("walk to the door", "--wait-done"))
        assert code == 1
        assert "failed: bad reply from 127.0.0.1" in out
        assert out.splitlines()[-1].startswith("failed: VLA query failed: bad reply")


def test_cancel_stops_the_running_instruction() -> None:
    forward = "The next action is move forward 75 cm."
    with (
        ScriptedNavilaServer([forward], cycle=True) as server,
        LanguageGraph(f"tcp://127.0.0.1:{server.port}") as graph,
    ):
        graph.wait_ready()
        graph.probe.instruct("keep walking")
        assert graph.spin_until(lambda: graph.probe.outcome() == "running" and graph.robot.x > 0.1, 5.0)
        code, out, err = finish(graph, instruct("--cancel"))
        assert code == 0, err
        assert out.strip() == "cancel sent on /instruction"
        assert graph.spin_until(lambda: graph.probe.outcome() == "cancelled", 2.0)
        assert graph.record.twists[-1][1] == (0.0, 0.0)


def test_nobody_listening_is_an_error_after_the_wait() -> None:
    process = instruct("walk to the door", "--topic", "/nobody/listens", "--wait-subscriber", "0.3")
    out, err = process.communicate(timeout=20.0)
    assert process.returncode == 2 and not out
    assert "nothing subscribes to /nobody/listens after 0.3 s" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give an instruction, or --cancel"),
        (["go", "--cancel"], "--cancel takes no instruction"),
        (["go", "--timeout", "0"], "must be > 0"),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args(argv)) == 2
    assert message in capsys.readouterr().err
