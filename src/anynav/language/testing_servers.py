"""Scripted stand-ins for VLA servers (NaVILA TCP and OpenAI chat completions) on real sockets.

For tests, simulations and demos without a GPU: each request is answered with the next entry of
a script, which can also be garbage, a slow reply, a dropped connection or no answer at all.
Every request received is recorded (instruction, images) so tests can check what was sent.
"""

from __future__ import annotations

import base64
import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from anynav.language.errors import ProtocolError
from anynav.language.protocol import decode_request, encode_reply, frame_message, read_message

HANG_LIMIT_S = 60.0
"""A hanging handler gives up after this long even if the server is never closed."""


class Behaviour(str, Enum):
    REPLY = "reply"  # answer with the text (after delay_s)
    GARBAGE = "garbage"  # answer with bytes that are not a valid reply
    DROP = "drop"  # close the connection without answering
    HANG = "hang"  # never answer (until the server closes)
    HTTP_ERROR = "http_error"  # OpenAI server only: answer with HTTP `status`


@dataclass(frozen=True)
class ScriptedReply:
    """One scripted answer."""

    text: str = ""
    behaviour: Behaviour = Behaviour.REPLY
    delay_s: float = 0.0
    status: int = 500


@dataclass(frozen=True)
class ReceivedRequest:
    """What a client sent: the instruction (NaVILA 'query', or the whole chat prompt text) and the JPEGs."""

    instruction: str
    images: tuple[bytes, ...]
    headers: dict[str, str]


NAVILA_DEMO_SCRIPT = (
    "The next action is move forward 75 cm.",
    "The next action is move forward 75 cm.",
    "The next action is turn left 45 degree.",
    "The next action is turn left 45 degree.",
    "The next action is move forward 50 cm.",
    "I think I should stop because I have finished the instruction.",
)
"""A short walk in NaVILA's own words: forward 1.5 m, turn left 90°, forward 0.5 m, stop."""


class _ScriptedServer:
    """Shared script handling, request log and lifetime of both servers."""

    def __init__(self, script: Sequence[str | ScriptedReply], cycle: bool) -> None:
        if not script:
            raise ValueError("script: at least one reply is needed")
        self.script = [entry if isinstance(entry, ScriptedReply) else ScriptedReply(entry) for entry in script]
        self._order: Iterator[ScriptedReply] = (
            itertools.cycle(self.script) if cycle else itertools.chain(self.script, itertools.repeat(self.script[-1]))
        )
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.requests: list[ReceivedRequest] = []

    def take_reply(self, request: ReceivedRequest) -> ScriptedReply:
        """Record ``request`` and return the scripted answer to it."""
        with self._lock:
            self.requests.append(request)
            return next(self._order)

    def sleep_unless_closed(self, seconds: float) -> bool:
        """Sleep, waking early when the server closes; True when it closed."""
        return self._closed.wait(seconds)

    def __enter__(self) -> _ScriptedServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._closed.set()


class ScriptedNavilaServer(_ScriptedServer):
    """Speaks NaVILA's vlm_server.py protocol on 127.0.0.1; one thread per connection."""

    def __init__(
        self, script: Sequence[str | ScriptedReply], host: str = "127.0.0.1", port: int = 0, cycle: bool = False
    ) -> None:
        super().__init__(script, cycle)
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.05)
        self.host: str = self._listener.getsockname()[0]
        self.port: int = self._listener.getsockname()[1]
        self._connections: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._accept_loop, name="navila-test-server", daemon=True)
        self._thread.start()

    def __enter__(self) -> ScriptedNavilaServer:
        return self

    def close(self) -> None:
        super().close()
        self._thread.join(2.0)
        for thread in list(self._connections):
            thread.join(2.0)
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._connections = [*(t for t in self._connections if t.is_alive()), thread]
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                payload = read_message(conn, time.monotonic() + 10.0, 64 * 1024 * 1024)
                images, query = decode_request(payload)
            except (OSError, ProtocolError):
                return
            reply = self.take_reply(ReceivedRequest(query, tuple(images), {}))
            if reply.behaviour is Behaviour.HANG:
                self.sleep_unless_closed(HANG_LIMIT_S)
                return
            if self.sleep_unless_closed(reply.delay_s) or reply.behaviour is Behaviour.DROP:
                return
            data = frame_message(b"\xff not json") if reply.behaviour is Behaviour.GARBAGE else encode_reply(reply.text)
            try:
                conn.sendall(data)
            except OSError:
                return


class ScriptedOpenAIServer(_ScriptedServer):
    """Speaks OpenAI chat completions (POST <base>/chat/completions) on 127.0.0.1.

    ``api_key``: when set, requests without ``Authorization: Bearer <api_key>`` get HTTP 401.
    """

    def __init__(
        self,
        script: Sequence[str | ScriptedReply],
        host: str = "127.0.0.1",
        port: int = 0,
        cycle: bool = False,
        api_key: str = "",
        model: str = "scripted-vla",
    ) -> None:
        super().__init__(script, cycle)
        self.api_key = api_key
        self.model = model
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.host: str = self._httpd.socket.getsockname()[0]
        self.port: int = self._httpd.socket.getsockname()[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="openai-test-server", daemon=True
        )
        self._thread.start()

    def __enter__(self) -> ScriptedOpenAIServer:
        return self

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def close(self) -> None:
        super().close()
        self._httpd.shutdown()
        self._thread.join(2.0)
        self._httpd.server_close()

    def completion(self, text: str) -> bytes:
        """A chat-completion response body carrying ``text``."""
        body = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        }
        return json.dumps(body).encode("utf-8")


def parse_chat_request(body: bytes) -> tuple[str, list[bytes]]:
    """The user prompt text (text parts joined) and the decoded data: URL images of a chat request."""
    try:
        request = json.loads(body.decode("utf-8"))
        content = request["messages"][-1]["content"]
    except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ProtocolError(f"bad chat request: {exc!r}") from None
    if isinstance(content, str):
        return content, []
    texts, images = [], []
    for part in content:
        if part.get("type") == "text":
            texts.append(part["text"])
        elif part.get("type") == "image_url":
            url = part["image_url"]["url"]
            images.append(base64.b64decode(url.split(",", 1)[1]))
    return "".join(texts), images


def _handler_for(server: ScriptedOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests and demos print what they need themselves."""

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if not self.path.endswith("/chat/completions"):
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                self._send(401, b'{"error": {"message": "invalid api key"}}')
                return
            try:
                prompt, images = parse_chat_request(body)
            except ProtocolError as exc:
                self._send(400, json.dumps({"error": {"message": str(exc)}}).encode())
                return
            reply = server.take_reply(ReceivedRequest(prompt, tuple(images), dict(self.headers.items())))
            if reply.behaviour is Behaviour.HANG:
                server.sleep_unless_closed(HANG_LIMIT_S)
                self.close_connection = True
                return
            if server.sleep_unless_closed(reply.delay_s) or reply.behaviour is Behaviour.DROP:
                self.close_connection = True
                return
            if reply.behaviour is Behaviour.GARBAGE:
                self._send(200, b"\xff not json")
            elif reply.behaviour is Behaviour.HTTP_ERROR:
                self._send(reply.status, json.dumps({"error": {"message": reply.text or "scripted error"}}).encode())
            else:
                self._send(200, server.completion(reply.text))

        def _send(self, status: int, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                self.close_connection = True

    return Handler
