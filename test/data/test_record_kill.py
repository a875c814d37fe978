"""A real recorder process: Ctrl-C closes a complete bag, SIGKILL loses at most the open chunk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from bagsamples import DISTRO, index_of
from mcap.records import Channel, Message, Schema
from mcap_ros2.decoder import DecoderFactory
from rosbags.highlevel import AnyReader
from rosbags.rosbag2 import Reader

from anynav.data import complete_records, recover
from anynav.msgs.typestore import typestore

HERE = Path(__file__).parent
CHUNK_INTERVAL_S = 0.2


def start_recorder(bag: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "bag_record_child.py"), str(bag), str(CHUNK_INTERVAL_S), "0.5"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "recording"
    return proc


def decoded(bag: Path) -> dict[str, list[tuple[int, int]]]:
    """Per topic, (sample index, receive time) of every message, in order."""
    out: dict[str, list[tuple[int, int]]] = {}
    with AnyReader([bag], default_typestore=typestore(DISTRO)) as reader:
        for conn, t, raw in reader.messages():
            out.setdefault(conn.topic, []).append((index_of(conn.topic, reader.deserialize(raw, conn.msgtype)), t))
    return out


def test_sigkill_loses_at_most_the_open_chunk(tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    proc = start_recorder(bag)
    time.sleep(1.3)
    proc.send_signal(signal.SIGKILL)
    killed_ns = time.time_ns()
    proc.wait(timeout=10)

    # As left: closed files play through metadata.yaml; the open one reads with the mcap reader.
    with Reader(bag) as reader:
        assert reader.message_count > 0
        closed = reader.message_count
    # (no open file only if the kill fell between closing one file and the next message)
    open_files = [p / f"{p.name}.mcap" for p in bag.iterdir() if p.is_dir()]
    assert len(open_files) <= 1
    factory, schemas, decoders, in_open_file = DecoderFactory(), {}, {}, []
    for record in (r for path in open_files for r in complete_records(path)):
        if isinstance(record, Schema):
            schemas[record.id] = record
        elif isinstance(record, Channel):
            decoders[record.id] = (
                record.topic,
                factory.decoder_for(record.message_encoding, schemas[record.schema_id]),
            )
        elif isinstance(record, Message):
            topic, decode = decoders[record.channel_id]
            in_open_file.append((topic, index_of(topic, decode(record.data))))

    report = recover(bag)
    assert report.messages == closed + len(in_open_file)
    got = decoded(bag)
    assert set(got) == {"/cmd_vel", "/gps/fix"}
    for samples in got.values():
        assert [i for i, _ in samples] == list(range(len(samples)))  # a gap-free prefix of what was sent
    last_ns = max(t for samples in got.values() for _, t in samples)
    lost_s = (killed_ns - last_ns) / 1e9
    # the open chunk is at most CHUNK_INTERVAL_S old, plus one poll period and scheduling slack
    assert 0 < lost_s < CHUNK_INTERVAL_S + 0.5, f"lost {lost_s:.3f} s of data"


def test_ctrl_c_closes_a_bag_with_every_received_message(tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    proc = start_recorder(bag)
    time.sleep(1.3)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    words = out.split()
    produced, written, dropped = (int(words[words.index(key) + 1]) for key in ("produced", "written", "dropped"))
    assert dropped == 0 and written == produced > 100

    assert not [p for p in bag.iterdir() if p.is_dir()]
    info = yaml.safe_load((bag / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    assert len(info["relative_file_paths"]) >= 2  # split every 0.5 s
    with Reader(bag) as reader:
        assert reader.message_count == produced
    got = decoded(bag)
    assert sum(len(samples) for samples in got.values()) == produced
    for samples in got.values():
        assert [i for i, _ in samples] == list(range(len(samples)))
