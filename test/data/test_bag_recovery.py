"""recover(): a bag directory as a killed recorder leaves it becomes a complete, readable bag again.

A copy of the bag directory taken while the recorder is open is exactly what SIGKILL leaves on
disk (closed chunks are flushed to the OS; the open chunk lives only in memory). The real
SIGKILL is in test_record_kill.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from bagsamples import DISTRO, TOPICS, index_of, mcap_messages, stream
from mcap.records import Message
from rosbags.highlevel import AnyReader
from rosbags.rosbag2 import Reader

from anynav.data import BagRecorder, RecorderConfig, RecoveryError, complete_records, recover
from anynav.msgs.typestore import typestore

ROUND = len(TOPICS)


def killed_bag(tmp_path: Path, flushed_rounds: int, pending_rounds: int) -> Path:
    """A bag of 2 closed files (10 rounds each) and an open third one, copied as a kill would leave it."""
    now = [0.0]
    recorder = BagRecorder(
        RecorderConfig(tmp_path / "bag", max_duration_s=1.0, chunk_interval_s=0.5, distro=DISTRO), clock=lambda: now[0]
    )
    recorder.open()
    samples = stream(20 + flushed_rounds + pending_rounds, period_ns=100_000_000)
    for n, s in enumerate(samples):
        recorder.write(s.topic, s.msgtype, s.recv_ns, s.data, s.offered_qos)
        if n + 1 == (20 + flushed_rounds) * ROUND:
            now[0] += 0.5
            recorder.poll()
    snapshot = tmp_path / "killed"
    shutil.copytree(recorder.bag_dir, snapshot)
    recorder.close()
    return snapshot


def indexes(bag: Path) -> list[tuple[str, int]]:
    with AnyReader([bag], default_typestore=typestore(DISTRO)) as reader:
        return [(c.topic, index_of(c.topic, reader.deserialize(raw, c.msgtype))) for c, _, raw in reader.messages()]


def test_a_killed_bag_reads_up_to_its_last_closed_file_before_recovery(tmp_path: Path) -> None:
    bag = killed_bag(tmp_path, flushed_rounds=3, pending_rounds=2)
    assert sorted(p.name for p in bag.iterdir()) == ["bag_0.mcap", "bag_1.mcap", "bag_2", "metadata.yaml"]
    with Reader(bag) as reader:
        assert reader.message_count == 20 * ROUND
    partial = bag / "bag_2" / "bag_2.mcap"
    messages = [r for r in complete_records(partial) if isinstance(r, Message)]
    assert len(messages) == 3 * ROUND  # the flushed chunk, read with the mcap reader as the kill left it


def test_recover_salvages_the_open_file_up_to_its_last_chunk(tmp_path: Path) -> None:
    bag = killed_bag(tmp_path, flushed_rounds=3, pending_rounds=2)
    report = recover(bag)

    assert [(f.name, f.action, f.messages) for f in report.files] == [
        ("bag_0.mcap", "kept", 10 * ROUND),
        ("bag_1.mcap", "kept", 10 * ROUND),
        ("bag_2.mcap", "salvaged", 3 * ROUND),
    ]
    assert report.messages == 23 * ROUND
    assert sorted(p.name for p in bag.iterdir()) == ["bag_0.mcap", "bag_1.mcap", "bag_2.mcap", "metadata.yaml"]
    assert indexes(bag) == [(topic, i) for i in range(23) for topic in TOPICS]
    via_mcap = [(topic, index_of(topic, msg)) for f in sorted(bag.glob("*.mcap")) for topic, _, msg in mcap_messages(f)]
    assert via_mcap == indexes(bag)
    with Reader(bag) as reader:
        salvaged = {c.topic: c for c in reader.connections}
        assert {t: c.ext.offered_qos_profiles for t, c in salvaged.items()} == {t: [q] for t, (_, q) in TOPICS.items()}
        assert {t: c.digest for t, c in salvaged.items()} == {
            t: typestore(DISTRO).hash_rihs01(m) for t, (m, _) in TOPICS.items()
        }
    assert "bag_2.mcap               salvaged         15 msgs" in "\n".join(report.lines())


def test_recover_drops_a_half_written_chunk(tmp_path: Path) -> None:
    bag = killed_bag(tmp_path, flushed_rounds=3, pending_rounds=0)
    partial = bag / "bag_2" / "bag_2.mcap"
    torn = b"\x06" + (5000).to_bytes(8, "little") + b"\x00" * 700  # a chunk record cut off by the kill
    with partial.open("ab") as file:
        file.write(torn)
    report = recover(bag)
    assert report.files[-1].action == "salvaged"
    assert report.files[-1].discarded_bytes == len(torn)
    assert indexes(bag) == [(topic, i) for i in range(23) for topic in TOPICS]


def test_a_file_killed_before_its_first_chunk_is_discarded(tmp_path: Path) -> None:
    bag = killed_bag(tmp_path, flushed_rounds=0, pending_rounds=2)
    assert (bag / "bag_2" / "bag_2.mcap").stat().st_size == 0  # header still in the writer's buffer
    report = recover(bag)
    assert [(f.name, f.action) for f in report.files][-1] == ("bag_2.mcap", "discarded")
    assert sorted(p.name for p in bag.iterdir()) == ["bag_0.mcap", "bag_1.mcap", "metadata.yaml"]
    assert indexes(bag) == [(topic, i) for i in range(20) for topic in TOPICS]


def test_recover_rebuilds_a_missing_metadata_yaml_identically(tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    with BagRecorder(RecorderConfig(bag, max_duration_s=0.5)) as recorder:
        for s in stream(20, period_ns=100_000_000):
            recorder.write(s.topic, s.msgtype, s.recv_ns, s.data, s.offered_qos)
    original = yaml.safe_load((bag / "metadata.yaml").read_text())
    (bag / "metadata.yaml").unlink()
    report = recover(bag)
    assert {f.action for f in report.files} == {"kept"} and len(report.files) == 4
    assert yaml.safe_load((bag / "metadata.yaml").read_text()) == original


def test_a_file_killed_while_being_moved_out_of_its_staging_directory(tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    with BagRecorder(RecorderConfig(bag)) as recorder:
        for s in stream(10):
            recorder.write(s.topic, s.msgtype, s.recv_ns, s.data, s.offered_qos)
    # the state between rosbags closing the file and the recorder moving it up
    (bag / "bag_0").mkdir()
    (bag / "bag_0.mcap").replace(bag / "bag_0" / "bag_0.mcap")
    (bag / "metadata.yaml").replace(bag / "bag_0" / "metadata.yaml")
    report = recover(bag)
    assert [(f.name, f.action, f.messages) for f in report.files] == [("bag_0.mcap", "moved", 10 * ROUND)]
    assert sorted(p.name for p in bag.iterdir()) == ["bag_0.mcap", "metadata.yaml"]
    assert indexes(bag) == [(topic, i) for i in range(10) for topic in TOPICS]


def test_recover_refuses_what_it_cannot_repair(tmp_path: Path) -> None:
    with pytest.raises(RecoveryError, match="is not a directory"):
        recover(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RecoveryError, match=r"no \.mcap file with a complete message"):
        recover(tmp_path / "empty")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.mcap").write_text("not an mcap file at all")
    with pytest.raises(RecoveryError, match=r"notes\.mcap is not an MCAP file"):
        recover(tmp_path / "other")
    bag = killed_bag(tmp_path, flushed_rounds=3, pending_rounds=0)
    shutil.copy(bag / "bag_0.mcap", bag / "bag_2.mcap")
    with pytest.raises(RecoveryError, match=r"both .*bag_2\.mcap and .*bag_2/bag_2\.mcap exist"):
        recover(bag)
