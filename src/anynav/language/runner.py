"""Runs blocking VLA queries on worker threads so a node's timer keeps publishing while the VLA thinks."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from anynav.language.clients import Attempt, QueryResult, VlaClient


class QueryRunner:
    """Submit queries by request id; collect finished ones with ``poll``.

    Each query runs on its own daemon thread and ends within the client's own deadline, so the
    number of threads is bounded by ``max_in_flight``; a submission beyond it fails at once.
    Results of requests the executor no longer waits for are returned too; the executor ignores
    them by id.
    """

    def __init__(self, client: VlaClient, max_in_flight: int = 3) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight={max_in_flight}: expected at least 1")
        self.client = client
        self.max_in_flight = max_in_flight
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._results: list[tuple[int, QueryResult]] = []

    def submit(self, request_id: int, images: Sequence[bytes], instruction: str) -> None:
        """Start querying; the result appears in a later ``poll``."""
        with self._lock:
            self._threads = [thread for thread in self._threads if thread.is_alive()]
            if len(self._threads) >= self.max_in_flight:
                refused = Attempt(0.0, f"{len(self._threads)} queries already in flight")
                self._results.append((request_id, QueryResult(None, (refused,), 0.0)))
                return
            thread = threading.Thread(
                target=self._run,
                args=(request_id, list(images), instruction),
                name=f"vla-query-{request_id}",
                daemon=True,
            )
            self._threads.append(thread)
            thread.start()

    def poll(self) -> list[tuple[int, QueryResult]]:
        """Results finished since the last poll, oldest first."""
        with self._lock:
            results, self._results = self._results, []
        return results

    @property
    def in_flight(self) -> int:
        with self._lock:
            return sum(thread.is_alive() for thread in self._threads)

    def close(self, timeout_s: float = 1.0) -> None:
        """Wait up to ``timeout_s`` in total for running queries to end."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout_s / max(1, len(threads)))

    def _run(self, request_id: int, images: list[bytes], instruction: str) -> None:
        try:
            result = self.client.query(images, instruction)
        except Exception as exc:  # a client bug must still answer the executor, never hang it
            result = QueryResult(None, (Attempt(0.0, f"client raised {exc!r}"),), 0.0)
        with self._lock:
            self._results.append((request_id, result))
