"""A single-threaded executor: waits on DDS read conditions and timers, runs callbacks in order."""

from __future__ import annotations

import time
from collections.abc import Callable

from cyclonedds.core import WaitSet
from cyclonedds.util import duration

from anynav.ros.dds.context import Context, default_context
from anynav.ros.dds.node import Node

# Longest wait while a sim-time timer waits for /clock (the /clock reader also wakes us).
SIM_TIME_POLL_NS = 20_000_000
IDLE_WAIT_NS = 200_000_000


class SingleThreadedExecutor:
    def __init__(self, *, context: Context | None = None) -> None:
        self.context = context or default_context
        self._nodes: list[Node] = []
        self._waitset = WaitSet(self.context.participant())
        self._guard = self.context.new_guard()
        self._waitset.attach(self._guard)
        self._attached: list = []

    def add_node(self, node: Node) -> bool:
        if node in self._nodes:
            return False
        node.check_parameters()
        self._nodes.append(node)
        node.graph_changed.set()
        return True

    def remove_node(self, node: Node) -> None:
        self._nodes.remove(node)
        self._sync_conditions(force=True)

    def _sync_conditions(self, force: bool = False) -> None:
        if not force and not any(n.graph_changed.is_set() for n in self._nodes):
            return
        for node in self._nodes:
            node.graph_changed.clear()
        wanted = [s.condition for n in self._nodes for s in n.subscriptions]
        for cond in self._attached:
            if cond not in wanted:
                self._waitset.detach(cond)
        for cond in wanted:
            if cond not in self._attached:
                self._waitset.attach(cond)
        self._attached = wanted

    def _timeout_ns(self, limit_ns: int | None) -> int:
        timeout = IDLE_WAIT_NS if limit_ns is None else limit_ns
        for node in self._nodes:
            for timer in node.timers:
                if timer.is_canceled():
                    continue
                if timer.clock.use_sim_time:
                    timeout = min(timeout, SIM_TIME_POLL_NS)
                else:
                    timeout = min(timeout, timer.next_due_ns() - timer.clock.now().nanoseconds)
        return max(timeout, 0)

    def spin_once(self, timeout_sec: float | None = None) -> None:
        """Wait for data or a due timer (at most ``timeout_sec``), then run what is ready."""
        if not self.context.ok():
            return
        self._sync_conditions()
        limit = None if timeout_sec is None else int(timeout_sec * 1e9)
        self._waitset.wait(duration(nanoseconds=self._timeout_ns(limit)))
        self._guard.take()
        for node in list(self._nodes):
            for sub in list(node.subscriptions):
                sub.dispatch()
        for node in list(self._nodes):
            for timer in list(node.timers):
                if timer.is_ready():
                    timer.fire()

    def spin(self) -> None:
        while self.context.ok():
            self.spin_once()

    def spin_until(self, predicate: Callable[[], bool], timeout_sec: float) -> bool:
        """Spin until ``predicate()`` is true or ``timeout_sec`` of wall time passes (tests, tools)."""
        deadline = time.monotonic() + timeout_sec
        while self.context.ok() and not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.spin_once(min(remaining, 0.05))
        return predicate()

    def shutdown(self) -> None:
        for node in list(self._nodes):
            self.remove_node(node)
