"""Records synthetic samples at a steady rate until killed or interrupted: the subprocess of the kill tests.

Usage: python bag_record_child.py OUTPUT CHUNK_INTERVAL_S MAX_DURATION_S
Prints "recording" once the first sample is out, and on a clean stop
"produced N written M dropped D".
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from bagsamples import sample

from anynav.data import BagRecorder, RecorderConfig, record, stop_on_signals


def main(output: str, chunk_interval_s: str, max_duration_s: str) -> None:
    produced = 0

    def source():
        nonlocal produced
        i = 0
        while True:
            now = time.time_ns()
            for k, topic in enumerate(("/cmd_vel", "/gps/fix")):
                produced += 1
                yield sample(topic, i, now + k)
            if i == 0:
                print("recording", flush=True)
            i += 1
            time.sleep(0.005)

    config = RecorderConfig(
        Path(output), chunk_interval_s=float(chunk_interval_s), max_duration_s=float(max_duration_s)
    )
    with stop_on_signals(threading.Event()) as stop, BagRecorder(config) as recorder:
        status = record(recorder, source(), stop=stop, poll_period_s=0.02)
    print(f"produced {produced} written {status.messages} dropped {status.dropped}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
