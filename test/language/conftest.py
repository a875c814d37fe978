"""Shared fixtures for the language-action tests: small JPEG frames and a free loopback port."""

from __future__ import annotations

import socket

import cv2
import numpy as np
import pytest


def solid_jpeg(value: int, size: int = 32) -> bytes:
    """A size × size grey JPEG whose pixels are all ``value`` (identifiable after decoding)."""
    ok, data = cv2.imencode(".jpg", np.full((size, size, 3), value, np.uint8))
    assert ok
    return data.tobytes()


@pytest.fixture
def jpegs() -> list[bytes]:
    """Eight distinguishable frames, oldest first."""
    return [solid_jpeg(20 * i + 10) for i in range(8)]


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
