"""VLA clients against scripted servers on real loopback sockets: success, garbage, slow, dropped, silent."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from anynav.language import (
    NavilaTcpClient,
    NavilaTcpConfig,
    OpenAIChatClient,
    OpenAIChatConfig,
    ProtocolError,
    navigation_prompt,
)
from anynav.language.clients import completion_text
from anynav.language.protocol import encode_reply, frame_message, read_message
from anynav.language.testing_servers import Behaviour, ScriptedNavilaServer, ScriptedOpenAIServer, ScriptedReply

FORWARD = "The next action is move forward 75 cm."


def navila(server: ScriptedNavilaServer, **overrides: float) -> NavilaTcpClient:
    settings = {"timeout_s": 1.0, "max_attempts": 2, "retry_backoff_s": 0.02, **overrides}
    return NavilaTcpClient(NavilaTcpConfig(host=server.host, port=server.port, **settings))


def openai(server: ScriptedOpenAIServer, **overrides: object) -> OpenAIChatClient:
    settings = {"timeout_s": 1.0, "max_attempts": 2, "retry_backoff_s": 0.02, **overrides}
    return OpenAIChatClient(OpenAIChatConfig(base_url=server.base_url, model="navila-8f", **settings), environ={})


# --- NaVILA TCP -------------------------------------------------------------------------------


def test_navila_round_trip(jpegs: list[bytes]) -> None:
    with ScriptedNavilaServer([FORWARD]) as server:
        result = navila(server).query(jpegs, "walk to the kitchen .\nthen stop")
    assert result.ok and result.text == FORWARD
    assert len(result.attempts) == 1 and result.attempts[0].error is None
    assert json.loads(result.attempts[0].raw) == FORWARD
    (request,) = server.requests
    assert request.images == tuple(jpegs)
    assert request.instruction == "Walk to the kitchen. Then stop"


def test_navila_garbage_reply_fails_without_retry(jpegs: list[bytes]) -> None:
    with ScriptedNavilaServer([ScriptedReply(behaviour=Behaviour.GARBAGE)]) as server:
        result = navila(server).query(jpegs, "go")
    assert not result.ok
    assert "not JSON" in (result.error or "")
    assert len(result.attempts) == 1 and len(server.requests) == 1


def test_navila_dropped_connection_is_retried(jpegs: list[bytes]) -> None:
    with ScriptedNavilaServer([ScriptedReply(behaviour=Behaviour.DROP), FORWARD]) as server:
        result = navila(server).query(jpegs, "go")
    assert result.text == FORWARD
    assert "closed" in (result.attempts[0].error or "")
    assert len(server.requests) == 2


def test_navila_slow_reply_times_out(jpegs: list[bytes]) -> None:
    with ScriptedNavilaServer([ScriptedReply(FORWARD, delay_s=1.0)]) as server:
        began = time.monotonic()
        result = navila(server, timeout_s=0.2, max_attempts=1).query(jpegs, "go")
        took = time.monotonic() - began
    assert not result.ok and "within 0.2 s" in (result.error or "")
    assert 0.2 <= took < 0.5


def test_navila_silent_server_fails_within_the_bounded_retries(jpegs: list[bytes]) -> None:
    with ScriptedNavilaServer([ScriptedReply(behaviour=Behaviour.HANG)]) as server:
        began = time.monotonic()
        result = navila(server, timeout_s=0.15, max_attempts=2, retry_backoff_s=0.05).query(jpegs, "go")
        took = time.monotonic() - began
    assert not result.ok and len(result.attempts) == 2
    assert all(0.15 <= attempt.latency_s < 0.3 for attempt in result.attempts)
    assert took < NavilaTcpConfig(timeout_s=0.15, max_attempts=2, retry_backoff_s=0.05).worst_case_s + 0.2


def test_navila_nobody_listening(jpegs: list[bytes], closed_port: int) -> None:
    client = NavilaTcpClient(NavilaTcpConfig(port=closed_port, timeout_s=0.5, retry_backoff_s=0.01))
    result = client.query(jpegs, "go")
    assert not result.ok and len(result.attempts) == 2
    assert "refused" in (result.error or "").lower()


def test_navila_needs_images() -> None:
    with pytest.raises(ValueError, match="images"):
        NavilaTcpClient().query([], "go")


# --- framing ----------------------------------------------------------------------------------


def test_read_message_limits() -> None:
    left, right = socket.socketpair()
    with left, right:
        right.sendall(encode_reply("ok"))
        assert json.loads(read_message(left, time.monotonic() + 1.0, 1024)) == "ok"
        right.sendall((10**9).to_bytes(8, "big"))
        with pytest.raises(ProtocolError, match="announces 1000000000 bytes"):
            read_message(left, time.monotonic() + 1.0, 1024)
    left, right = socket.socketpair()
    with left, right:
        right.sendall(frame_message(b"12345")[:-2])
        with pytest.raises(TimeoutError):
            read_message(left, time.monotonic() + 0.05, 1024)
        right.close()
        with pytest.raises(ConnectionError, match="closed"):
            read_message(left, time.monotonic() + 1.0, 1024)


# --- OpenAI chat completions ------------------------------------------------------------------


def test_openai_round_trip_and_request_shape(jpegs: list[bytes]) -> None:
    with ScriptedOpenAIServer(["Turn left 30 degrees."], api_key="sk-test") as server:
        client = openai(server, api_key="sk-test")
        result = client.query(jpegs, "walk past the sofa. stop at the door .")
    assert result.text == "Turn left 30 degrees."
    (request,) = server.requests
    assert request.images == tuple(jpegs)
    assert request.instruction == navigation_prompt("walk past the sofa. stop at the door .").replace("<image>", "")
    assert request.headers["Authorization"] == "Bearer sk-test"
    body = client.request_body(jpegs, "go")
    assert body["model"] == "navila-8f" and body["temperature"] == 0.0
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    kinds = [part["type"] for part in user["content"]]
    assert kinds.count("image_url") == 8
    assert kinds[:2] == ["text", "image_url"] and kinds[-2:] == ["image_url", "text"]


def test_openai_server_error_is_retried(jpegs: list[bytes]) -> None:
    with ScriptedOpenAIServer([ScriptedReply(behaviour=Behaviour.HTTP_ERROR, status=503), FORWARD]) as server:
        result = openai(server).query(jpegs, "go")
    assert result.text == FORWARD
    assert "HTTP 503" in (result.attempts[0].error or "")


def test_openai_bad_key_is_not_retried(jpegs: list[bytes]) -> None:
    with ScriptedOpenAIServer([FORWARD], api_key="right") as server:
        result = openai(server, api_key="wrong").query(jpegs, "go")
    assert not result.ok and len(result.attempts) == 1
    assert "HTTP 401" in (result.error or "")
    assert "wrong" not in (result.error or "")


def test_openai_garbage_body_fails_without_retry(jpegs: list[bytes]) -> None:
    with ScriptedOpenAIServer([ScriptedReply(behaviour=Behaviour.GARBAGE)]) as server:
        result = openai(server).query(jpegs, "go")
    assert not result.ok and len(result.attempts) == 1
    assert "not JSON" in (result.error or "")
    assert result.attempts[0].raw.startswith(b"\xff")


def test_openai_dropped_connection_is_retried(jpegs: list[bytes]) -> None:
    with ScriptedOpenAIServer([ScriptedReply(behaviour=Behaviour.DROP), FORWARD]) as server:
        result = openai(server).query(jpegs, "go")
    assert result.text == FORWARD and len(result.attempts) == 2


def test_openai_silent_server_fails_within_timeout(jpegs: list[bytes]) -> None:
    with ScriptedOpenAIServer([ScriptedReply(behaviour=Behaviour.HANG)]) as server:
        began = time.monotonic()
        result = openai(server, timeout_s=0.2, max_attempts=1).query(jpegs, "go")
        took = time.monotonic() - began
    assert not result.ok and "within 0.2 s" in (result.error or "")
    assert 0.2 <= took < 0.5


def test_openai_nobody_listening(jpegs: list[bytes], closed_port: int) -> None:
    config = OpenAIChatConfig(
        base_url=f"http://127.0.0.1:{closed_port}/v1", model="m", timeout_s=0.5, retry_backoff_s=0.01
    )
    result = OpenAIChatClient(config, environ={}).query(jpegs, "go")
    assert not result.ok and len(result.attempts) == 2


def test_openai_reply_trickled_past_the_deadline_fails(jpegs: list[bytes]) -> None:
    """A server sending headers at once but the body slowly still hits the attempt deadline."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def trickle() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1 << 20)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n")
                for _ in range(20):
                    time.sleep(0.05)
                    try:
                        conn.sendall(b" ")
                    except OSError:
                        return

        server = threading.Thread(target=trickle, daemon=True)
        server.start()
        config = OpenAIChatConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout_s=0.3, max_attempts=1)
        began = time.monotonic()
        result = OpenAIChatClient(config, environ={}).query(jpegs, "go")
        took = time.monotonic() - began
        server.join(2.0)
    assert not result.ok and "within 0.3 s" in (result.error or "")
    assert took < 0.6


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b'{"choices": [{"message": {"content": "Stop."}}]}', "Stop."),
        (
            b'{"choices": [{"message": {"content": '
            b'[{"type": "text", "text": "Turn "}, {"type": "text", "text": "left."}]}}]}',
            "Turn left.",
        ),
    ],
)
def test_completion_text_forms(raw: bytes, text: str) -> None:
    assert completion_text(raw) == text


@pytest.mark.parametrize("raw", [b"nope", b'{"choices": []}', b'{"choices": [{"message": {"content": 3}}]}'])
def test_completion_text_rejects_malformed(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        completion_text(raw)


def test_openai_headers_trickled_past_the_deadline_fail(jpegs: list[bytes]) -> None:
    """The attempt deadline also holds while http.client reads the status line and headers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def trickle() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1 << 20)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n":
                    time.sleep(0.03)
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        return

        server = threading.Thread(target=trickle, daemon=True)
        server.start()
        config = OpenAIChatConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", timeout_s=0.3, max_attempts=1)
        began = time.monotonic()
        result = OpenAIChatClient(config, environ={}).query(jpegs, "go")
        took = time.monotonic() - began
        server.join(3.0)
    assert not result.ok and "within 0.3 s" in (result.error or "")
    assert took < 0.5
