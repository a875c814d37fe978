"""Runs a recording: pumps samples from a source into a BagRecorder until the source ends or a stop signal."""

from __future__ import annotations

import contextlib
import dataclasses
import queue
import signal
import threading
import time
from typing import TYPE_CHECKING, NamedTuple

from anynav.data.errors import RecorderError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from anynav.data.recorder import BagRecorder, RawSample
    from anynav.data.status import RecordStatus


class _End(NamedTuple):
    error: BaseException | None


class _Feeder(threading.Thread):
    """Reads the source on its own thread, so a quiet or blocking source never delays chunk closing."""

    def __init__(self, samples: Iterable[RawSample], out: queue.Queue, stop: threading.Event) -> None:
        super().__init__(name="anynav-record-source", daemon=True)
        self._samples = samples
        self._out = out
        self._stop_requested = stop
        self.dropped = 0

    def run(self) -> None:
        error: BaseException | None = None
        try:
            for sample in self._samples:
                try:
                    self._out.put_nowait(sample)
                except queue.Full:
                    self.dropped += 1
                if self._stop_requested.is_set():
                    break
        except Exception as exc:  # noqa: BLE001 - any source failure is raised on the recording thread
            error = exc
        self._out.put(_End(error))


def record(
    recorder: BagRecorder,
    samples: Iterable[RawSample],
    *,
    stop: threading.Event,
    on_status: Callable[[RecordStatus], None] | None = None,
    status_period_s: float = 1.0,
    poll_period_s: float = 0.05,
    max_queued: int = 1000,
) -> RecordStatus:
    """Write ``samples`` into the open ``recorder`` until the source ends or ``stop`` is set.

    Samples already taken from the source when ``stop`` is set are written before returning, so
    closing the recorder afterwards keeps every received message. When the recorder falls more
    than ``max_queued`` samples behind, newer samples are dropped and counted in ``dropped``.
    The caller closes the recorder.
    """
    if max_queued < 1 or status_period_s <= 0 or poll_period_s <= 0:
        raise RecorderError(
            f"record(): max_queued must be >= 1 and the periods > 0, got max_queued={max_queued}, "
            f"status_period_s={status_period_s}, poll_period_s={poll_period_s}"
        )
    pending: queue.Queue = queue.Queue(maxsize=max_queued)
    feeder = _Feeder(samples, pending, stop)
    feeder.start()
    next_status = time.monotonic() + status_period_s
    end: _End | None = None
    while end is None and not stop.is_set():
        try:
            item = pending.get(timeout=poll_period_s)
        except queue.Empty:
            item = None
        if isinstance(item, _End):
            end = item
        elif item is not None:
            recorder.write(item.topic, item.msgtype, item.recv_ns, item.data, item.offered_qos)
        recorder.poll()
        if on_status is not None and (now := time.monotonic()) >= next_status:
            on_status(dataclasses.replace(recorder.status(), dropped=feeder.dropped))
            next_status = now + status_period_s
    # Let a source that is between samples hand over the one it is delivering.
    feeder.join(timeout=poll_period_s)
    for item in _drain(pending):
        if isinstance(item, _End):
            end = item
        else:
            recorder.write(item.topic, item.msgtype, item.recv_ns, item.data, item.offered_qos)
    if end is not None and end.error is not None:
        raise RecorderError(f"the sample source failed: {end.error!r}") from end.error
    return dataclasses.replace(recorder.status(), dropped=feeder.dropped)


def _drain(pending: queue.Queue) -> Iterator[RawSample | _End]:
    while True:
        try:
            yield pending.get_nowait()
        except queue.Empty:
            return


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """Turn Ctrl-C and SIGTERM into ``stop.set()``, so the bag is closed between writes, never inside one.

    A second Ctrl-C while stopping raises KeyboardInterrupt, for a recorder that hangs.
    """

    def handle(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    previous = {signum: signal.signal(signum, handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
