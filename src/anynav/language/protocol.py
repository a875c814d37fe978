"""NaVILA's VLM server wire format: an 8-byte big-endian length, then UTF-8 JSON; one exchange per connection.

Request JSON: ``{"images": [base64 JPEG, ...], "query": instruction}`` (NaVILA's server builds the
prompt itself and expects exactly 8 images). Reply JSON: the generated text as one JSON string.
"""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Sequence

from anynav.language.errors import ProtocolError

LENGTH_BYTES = 8


def frame_message(payload: bytes) -> bytes:
    """Prefix ``payload`` with its length; send the result in one ``sendall``."""
    return len(payload).to_bytes(LENGTH_BYTES, "big") + payload


def encode_request(images: Sequence[bytes], instruction: str) -> bytes:
    """The framed request for JPEG ``images`` (history first, current last) and the instruction text."""
    body = {"images": [base64.b64encode(image).decode("ascii") for image in images], "query": instruction}
    return frame_message(json.dumps(body).encode("utf-8"))


def decode_request(payload: bytes) -> tuple[list[bytes], str]:
    """Images (JPEG bytes) and instruction of a request payload (the bytes after the length)."""
    try:
        body = json.loads(payload.decode("utf-8"))
        images = [base64.b64decode(image, validate=True) for image in body["images"]]
        query = body["query"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ProtocolError(f"bad NaVILA request: {exc}") from None
    if not isinstance(query, str):
        raise ProtocolError(f"bad NaVILA request: 'query' is {type(query).__name__}, not a string")
    return images, query


def encode_reply(text: str) -> bytes:
    """The framed reply carrying the generated ``text``."""
    return frame_message(json.dumps(text).encode("utf-8"))


def decode_reply(payload: bytes) -> str:
    """The generated text in a reply payload; anything but a JSON string is a ProtocolError."""
    try:
        text = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"reply is not JSON: {exc}") from None
    if not isinstance(text, str):
        raise ProtocolError(f"reply is a JSON {type(text).__name__}, expected a string")
    return text


def read_message(sock: socket.socket, deadline: float, max_bytes: int) -> bytes:
    """Read one length-prefixed message, giving up at ``deadline`` (time.monotonic()).

    Raises TimeoutError past the deadline, ConnectionError when the peer closes early and
    ProtocolError when the announced length exceeds ``max_bytes``.
    """
    header = _read_exactly(sock, LENGTH_BYTES, deadline)
    size = int.from_bytes(header, "big")
    if size > max_bytes:
        raise ProtocolError(f"message announces {size} bytes, more than the {max_bytes} allowed")
    return _read_exactly(sock, size, deadline)


def _read_exactly(sock: socket.socket, count: int, deadline: float) -> bytes:
    chunks = []
    remaining = count
    while remaining > 0:
        left = deadline - time.monotonic()
        if left <= 0.0:
            raise TimeoutError("deadline passed while reading")
        sock.settimeout(left)
        chunk = sock.recv(min(remaining, 65536))
        if not chunk:
            raise ConnectionError(f"connection closed with {remaining} of {count} bytes unread")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
