"""Fixtures of the robot tests: a fresh DDS context per test, and the bridge bench on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bridge_helpers import Bench

from anynav.ros.dds.context import Context


@pytest.fixture
def context() -> Iterator[Context]:
    ctx = Context()
    ctx.init([])
    yield ctx
    ctx.shutdown()


@pytest.fixture
def bench(context: Context) -> Iterator[Bench]:
    bench = Bench(context)
    yield bench
    bench.close()
