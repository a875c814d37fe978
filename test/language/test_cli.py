"""`anynav vla-test-server` (module functions; the lead wires the verb)."""

from __future__ import annotations

import argparse
import threading

import pytest

from anynav.language import NavilaTcpClient, NavilaTcpConfig, OpenAIChatClient, OpenAIChatConfig
from anynav.language.cli import add_arguments, run


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def serve_in_background(argv: list[str]) -> threading.Thread:
    thread = threading.Thread(target=run, args=(parse(argv),), daemon=True)
    thread.start()
    return thread


def test_navila_server_answers_the_script(
    closed_port: int, jpegs: list[bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    thread = serve_in_background(["--port", str(closed_port), "--reply", "Stop.", "--duration", "0.4"])
    client = NavilaTcpClient(NavilaTcpConfig(port=closed_port, timeout_s=0.5, max_attempts=5, retry_backoff_s=0.05))
    result = client.query(jpegs, "go to the door")
    thread.join(3.0)
    assert result.text == "Stop."
    printed = capsys.readouterr().out
    assert f"127.0.0.1:{closed_port} (NaVILA TCP)" in printed
    assert "request 1: 8 images" in printed and "Go to the door" in printed


def test_openai_server_cycles_the_default_script(closed_port: int, jpegs: list[bytes]) -> None:
    thread = serve_in_background(["--protocol", "openai", "--port", str(closed_port), "--cycle", "--duration", "0.4"])
    config = OpenAIChatConfig(
        base_url=f"http://127.0.0.1:{closed_port}/v1", model="m", timeout_s=0.5, max_attempts=5, retry_backoff_s=0.05
    )
    client = OpenAIChatClient(config, environ={})
    replies = [client.query(jpegs, "go").text for _ in range(7)]
    thread.join(3.0)
    assert replies[0] == "The next action is move forward 75 cm."
    assert replies[5].startswith("I think I should stop") and replies[6] == replies[0]


@pytest.mark.parametrize("argv", [["--delay", "-1"], ["--port", "70000"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(parse(argv)) == 2
    assert "error:" in capsys.readouterr().err
