"""VLA clients: NaVILA's own TCP server and OpenAI-compatible chat completions, with deadlines and bounded retries."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from anynav import __version__
from anynav.language.config import NavilaTcpConfig, OpenAIChatConfig, resolve_openai_config
from anynav.language.errors import ProtocolError
from anynav.language.prompt import normalise_instruction, prompt_text_parts
from anynav.language.protocol import decode_reply, encode_request, read_message


@dataclass(frozen=True)
class Attempt:
    """One try at a query: how long it took, what came back, and what went wrong (None: it worked)."""

    latency_s: float
    error: str | None = None
    raw: bytes = b""


@dataclass(frozen=True)
class QueryResult:
    """The outcome of a query: the reply text, or every failed attempt."""

    text: str | None
    attempts: tuple[Attempt, ...]
    elapsed_s: float

    @property
    def ok(self) -> bool:
        return self.text is not None

    @property
    def error(self) -> str | None:
        """Why the query failed (the last attempt's error), None when it succeeded."""
        if self.ok:
            return None
        return self.attempts[-1].error if self.attempts else "no attempt made"


class VlaClient(Protocol):
    """Anything that sends frames and an instruction to a VLA and returns its reply."""

    def query(self, images: Sequence[bytes], instruction: str) -> QueryResult:
        """Send JPEG ``images`` (history first, current last) and the instruction; never raises on I/O."""
        ...


class _AttemptError(Exception):
    def __init__(self, message: str, *, retryable: bool, raw: bytes = b"") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.raw = raw


def _with_retries(
    once: Callable[[float], tuple[str, bytes]], timeout_s: float, max_attempts: int, backoff_s: float
) -> QueryResult:
    """Call ``once(deadline)`` until it succeeds, fails for good, or the attempts run out."""
    attempts: list[Attempt] = []
    start = time.monotonic()
    for number in range(max_attempts):
        if number:
            time.sleep(backoff_s)
        began = time.monotonic()
        try:
            text, raw = once(began + timeout_s)
        except _AttemptError as exc:
            attempts.append(Attempt(time.monotonic() - began, str(exc), exc.raw))
            if not exc.retryable:
                break
            continue
        attempts.append(Attempt(time.monotonic() - began, None, raw))
        return QueryResult(text, tuple(attempts), time.monotonic() - start)
    return QueryResult(None, tuple(attempts), time.monotonic() - start)


def _check_images(images: Sequence[bytes], minimum: int) -> None:
    if len(images) < minimum or not all(isinstance(image, (bytes, bytearray)) and image for image in images):
        raise ValueError(f"images: expected at least {minimum} non-empty JPEG byte strings, got {len(images)}")


class NavilaTcpClient:
    """Client of NaVILA's VLM server (NaVILA-Bench scripts/vlm_server.py).

    Send as many frames as the server's ``--num_video_frames`` (8 for the released checkpoint):
    the server builds its prompt for that many regardless of what arrives.
    """

    def __init__(self, config: NavilaTcpConfig | None = None) -> None:
        self.config = config or NavilaTcpConfig()

    def query(self, images: Sequence[bytes], instruction: str) -> QueryResult:
        _check_images(images, 1)
        request = encode_request(images, normalise_instruction(instruction))
        cfg = self.config
        return _with_retries(
            lambda deadline: self._once(request, deadline), cfg.timeout_s, cfg.max_attempts, cfg.retry_backoff_s
        )

    def _once(self, request: bytes, deadline: float) -> tuple[str, bytes]:
        cfg = self.config
        payload = b""
        try:
            with socket.create_connection((cfg.host, cfg.port), timeout=max(1e-3, deadline - time.monotonic())) as sock:
                sock.settimeout(max(1e-3, deadline - time.monotonic()))
                sock.sendall(request)
                payload = read_message(sock, deadline, cfg.max_reply_bytes)
            return decode_reply(payload), payload
        except TimeoutError:
            raise _AttemptError(
                f"no reply from {cfg.host}:{cfg.port} within {cfg.timeout_s:g} s", retryable=True
            ) from None
        except ProtocolError as exc:
            raise _AttemptError(f"bad reply from {cfg.host}:{cfg.port}: {exc}", retryable=False, raw=payload) from None
        except OSError as exc:
            raise _AttemptError(f"connection to {cfg.host}:{cfg.port} failed: {exc}", retryable=True) from None


class OpenAIChatClient:
    """Client of an OpenAI-compatible ``/chat/completions`` endpoint, frames sent as data: URLs.

    The frames are interleaved with NaVILA's prompt exactly where its ``<image>`` tokens were.
    Empty base URL, model or API key are taken from the environment (see OpenAIChatConfig).
    """

    def __init__(self, config: OpenAIChatConfig | None = None, environ: Mapping[str, str] | None = None) -> None:
        self.config = resolve_openai_config(config or OpenAIChatConfig(), environ)
        parts = urlsplit(self.config.base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._path = parts.path.rstrip("/") + "/chat/completions"

    def request_body(self, images: Sequence[bytes], instruction: str) -> dict[str, Any]:
        """The JSON body sent for these frames and instruction."""
        _check_images(images, 2)
        content: list[dict[str, Any]] = []
        for index, text in enumerate(prompt_text_parts(instruction, len(images))):
            if text:
                content.append({"type": "text", "text": text})
            if index < len(images):
                url = "data:image/jpeg;base64," + base64.b64encode(images[index]).decode("ascii")
                content.append({"type": "image_url", "image_url": {"url": url}})
        messages: list[dict[str, Any]] = []
        if self.config.system_prompt:
            messages.append({"role": "system", "content": self.config.system_prompt})
        messages.append({"role": "user", "content": content})
        return {
            "model": self.config.model,
            "messages": messages,
            "max_tokens": self.config.max_tokens,
            "temperature": self.config.temperature,
            "stream": False,
        }

    def query(self, images: Sequence[bytes], instruction: str) -> QueryResult:
        body = json.dumps(self.request_body(images, instruction)).encode("utf-8")
        cfg = self.config
        return _with_retries(
            lambda deadline: self._once(body, deadline), cfg.timeout_s, cfg.max_attempts, cfg.retry_backoff_s
        )

    def _headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"anynav/{__version__}",
        }
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers

    def _once(self, body: bytes, deadline: float) -> tuple[str, bytes]:
        where = self.config.base_url
        connection_class = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        connection = connection_class(self._host, self._port, timeout=max(1e-3, deadline - time.monotonic()))
        raw = b""
        timed_out = _AttemptError(f"no reply from {where} within {self.config.timeout_s:g} s", retryable=True)
        try:
            connection.request("POST", self._path, body=body, headers=self._headers())
            sock = connection.sock
            # http.client reads the status line and headers with per-read timeouts only; shutting the
            # socket at the deadline makes the deadline hold for a server that trickles them too.
            guard = threading.Timer(max(0.0, deadline - time.monotonic()), _shutdown, (sock,))
            guard.daemon = True
            guard.start()
            try:
                sock.settimeout(max(1e-3, deadline - time.monotonic()))
                response = connection.getresponse()
                raw = self._read_body(response, sock, deadline)
            finally:
                guard.cancel()
        except TimeoutError:
            raise timed_out from None
        except ProtocolError as exc:
            raise _AttemptError(f"bad reply from {where}: {exc}", retryable=False, raw=raw) from None
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() >= deadline:
                raise timed_out from None
            raise _AttemptError(f"connection to {where} failed: {exc!r}", retryable=True) from None
        finally:
            connection.close()
        if time.monotonic() >= deadline:
            raise timed_out  # the guard may have cut the body short
        if response.status != 200:
            retryable = response.status == 429 or response.status >= 500
            snippet = raw[:300].decode("utf-8", "replace")
            raise _AttemptError(f"HTTP {response.status} from {where}: {snippet}", retryable=retryable, raw=raw)
        try:
            return completion_text(raw), raw
        except ProtocolError as exc:
            raise _AttemptError(f"bad reply from {where}: {exc}", retryable=False, raw=raw) from None

    def _read_body(self, response: http.client.HTTPResponse, sock: socket.socket, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0.0:
                raise TimeoutError("deadline passed while reading")
            sock.settimeout(left)
            chunk = response.read1(65536)  # one recv: read() would wait for all 64 KiB past the deadline
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.config.max_reply_bytes:
                raise ProtocolError(f"reply longer than {self.config.max_reply_bytes} bytes")
            chunks.append(chunk)


def _shutdown(sock: socket.socket) -> None:
    """End a connection from another thread; it may already be closed, which is as good."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def completion_text(raw: bytes) -> str:
    """``choices[0].message.content`` of a chat completion (a string, or a list of text parts)."""
    try:
        data = json.loads(raw.decode("utf-8"))
        content = data["choices"][0]["message"]["content"]
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from None
    except (KeyError, IndexError, TypeError):
        raise ProtocolError("no choices[0].message.content in the reply") from None
    if isinstance(content, list):
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str):
        raise ProtocolError(f"choices[0].message.content is {type(content).__name__}, not text")
    return content
