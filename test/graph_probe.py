"""Node tests on real DDS in one process: a fresh context, one executor, and a probe node that publishes and records.

Shared by the node tests of every feature (test/ is on sys.path through test/conftest.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from anynav.ros import Node, QoSProfile, SingleThreadedExecutor, message_class
from anynav.ros.dds.context import Context
from anynav.ros.params import Parameter


class Graph:
    """Nodes under test plus a probe, spun by one SingleThreadedExecutor; arrivals are recorded with wall times."""

    def __init__(self) -> None:
        self.context = Context()
        self.context.init([])
        self.executor = SingleThreadedExecutor(context=self.context)
        self.probe = Node("probe", context=self.context)
        self.executor.add_node(self.probe)
        self.nodes: list[Any] = [self.probe]
        self.received: dict[str, list[Any]] = {}
        self.arrival_s: dict[str, list[float]] = {}

    def add(self, node_class: Callable[..., Any], **params: Any) -> Any:
        """Build ``node_class`` with these parameter overrides and spin it with the others."""
        overrides = [Parameter(name, value) for name, value in params.items()]
        node = node_class(context=self.context, parameter_overrides=overrides)
        self.executor.add_node(node)
        self.nodes.append(node)
        return node

    def listen(self, msgtype: str, topic: str, qos: QoSProfile | int = 10) -> list[Any]:
        """Record every message on ``topic`` (and its arrival time.monotonic()); returns the live list."""
        messages: list[Any] = []
        times: list[float] = []
        key = topic if topic not in self.received else f"{topic}#{len(self.received)}"
        self.received[key], self.arrival_s[key] = messages, times

        def record(msg: Any) -> None:
            messages.append(msg)
            times.append(time.monotonic())

        self.probe.create_subscription(message_class(msgtype), topic, record, qos)
        return messages

    def times(self, messages: list[Any]) -> list[float]:
        """Arrival times of the messages in a list returned by ``listen``."""
        for key, recorded in self.received.items():
            if recorded is messages:
                return self.arrival_s[key]
        raise KeyError("not a list returned by listen()")

    def publisher(self, msgtype: str, topic: str, qos: QoSProfile | int = 10) -> Any:
        return self.probe.create_publisher(message_class(msgtype), topic, qos)

    def connect(self, *publishers: Any, timeout_s: float = 10.0) -> None:
        """Wait until every publisher has a matched reader (DDS discovery on loopback)."""
        assert self.spin_until(lambda: all(p.get_subscription_count() > 0 for p in publishers), timeout_s)

    def spin_until(self, predicate: Callable[[], bool], timeout_s: float) -> bool:
        return self.executor.spin_until(predicate, timeout_s)

    def spin(self, seconds: float) -> None:
        self.executor.spin_until(lambda: False, seconds)

    def publish_for(self, messages: list[tuple[Any, Any]], seconds: float, rate_hz: float) -> float:
        """Publish each (publisher, message or stamp_ns -> message) at ``rate_hz`` for ``seconds`` while spinning.

        Returns the time.monotonic() of the last publication.
        """
        period = 1.0 / rate_hz
        end = time.monotonic() + seconds
        last = time.monotonic()
        while time.monotonic() < end:
            for publisher, message in messages:
                publisher.publish(message(self.now_ns()) if callable(message) else message)
            last = time.monotonic()
            self.spin(max(0.0, min(period, end - last)))
        return last

    def now_ns(self) -> int:
        return int(self.probe.get_clock().now().nanoseconds)

    def close(self) -> None:
        for node in self.nodes:
            node.destroy_node()
        self.context.shutdown()


@pytest.fixture(name="graph")
def graph_fixture() -> Iterator[Graph]:
    """A Graph for one test (import ``graph_fixture`` into the test module to use ``graph``)."""
    built = Graph()
    yield built
    built.close()
