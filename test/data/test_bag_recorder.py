"""BagRecorder: bags that rosbags and mcap both read back, splitting, selection, chunking as it goes."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
import yaml
from bagsamples import DISTRO, TOPICS, index_of, mcap_messages, sample, stream
from mcap.reader import make_reader
from mcap.records import Chunk, Message
from mcap.stream_reader import StreamReader
from rosbags.highlevel import AnyReader
from rosbags.rosbag2 import Reader

from anynav.data import (
    BagRecorder,
    RecorderConfig,
    RecorderConfigError,
    RecorderError,
    complete_records,
    record,
)
from anynav.msgs.typestore import typestore


def record_all(config: RecorderConfig, samples) -> BagRecorder:
    with BagRecorder(config) as recorder:
        for s in samples:
            recorder.write(s.topic, s.msgtype, s.recv_ns, s.data, s.offered_qos)
    return recorder


def bag_files(bag: Path) -> list[Path]:
    info = yaml.safe_load((bag / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    return [bag / name for name in info["relative_file_paths"]]


@pytest.mark.parametrize("compression", ["zstd", "none"])
def test_every_type_reads_back_through_rosbags_and_mcap(tmp_path: Path, compression: str) -> None:
    samples = stream(20)
    bag = tmp_path / "bag"
    record_all(RecorderConfig(bag, compression=compression, distro=DISTRO), samples)

    with Reader(bag) as reader:
        assert reader.message_count == len(samples)
        assert {c.topic: c.msgtype for c in reader.connections} == {t: m for t, (m, _) in TOPICS.items()}
        for conn in reader.connections:
            assert conn.ext.offered_qos_profiles == [TOPICS[conn.topic][1]]
            assert conn.digest == typestore(DISTRO).hash_rihs01(conn.msgtype)
        got = [(c.topic, t, bytes(raw)) for c, t, raw in reader.messages()]
    assert got == sorted(((s.topic, s.recv_ns, s.data) for s in samples), key=lambda x: x[1])

    with AnyReader([bag], default_typestore=typestore(DISTRO)) as reader:
        decoded = [(c.topic, index_of(c.topic, reader.deserialize(raw, c.msgtype))) for c, _, raw in reader.messages()]
    assert decoded == [(topic, i) for i in range(20) for topic in TOPICS]

    (mcap_file,) = bag_files(bag)
    via_mcap = [(topic, index_of(topic, msg)) for topic, _, msg in mcap_messages(mcap_file)]
    assert via_mcap == decoded


def test_chunk_compression_is_zstd_only_when_asked(tmp_path: Path) -> None:
    sizes = {}
    for compression in ("zstd", "none"):
        bag = tmp_path / compression
        record_all(RecorderConfig(bag, compression=compression, distro=DISTRO), stream(50))
        info = yaml.safe_load((bag / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
        # storage-level (MCAP chunk) compression: rosbag2 leaves both fields empty
        assert (info["compression_mode"], info["compression_format"]) == ("", "")
        sizes[compression] = sum(path.stat().st_size for path in bag_files(bag))
        with bag_files(bag)[0].open("rb") as file:
            chunks = [r for r in StreamReader(file, emit_chunks=True).records if isinstance(r, Chunk)]
        assert chunks and {c.compression for c in chunks} == {"zstd" if compression == "zstd" else ""}
    assert sizes["zstd"] < sizes["none"] / 2


def bytes_before_close(path: Path) -> int:
    """Bytes an MCAP file held before close() added its metadata record and index (summary)."""
    with path.open("rb") as file:
        (metadata_index,) = make_reader(file).get_summary().metadata_indexes
    return metadata_index.offset


def test_split_by_size_gives_one_bag_of_many_files(tmp_path: Path) -> None:
    samples = stream(300)
    bag = tmp_path / "bag"
    max_size = 40_000
    record_all(RecorderConfig(bag, max_size_bytes=max_size, chunk_size_bytes=8192, compression="none"), samples)

    files = bag_files(bag)
    assert [f.name for f in files] == [f"bag_{i}.mcap" for i in range(len(files))]
    assert len(files) >= 5
    assert sorted(p.name for p in bag.iterdir()) == sorted([f.name for f in files] + ["metadata.yaml"])
    # messages stay within max_size (plus the last chunk's message index); metadata and index come on top
    assert all(max_size * 0.7 < bytes_before_close(f) <= max_size + 2048 for f in files[:-1])
    with Reader(bag) as reader:
        assert [(c.topic, t) for c, t, _ in reader.messages()] == [(s.topic, s.recv_ns) for s in samples]
    via_mcap = [(topic, t) for f in files for topic, t, _ in mcap_messages(f)]
    assert via_mcap == [(s.topic, s.recv_ns) for s in samples]


def test_split_by_duration_starts_a_file_per_interval(tmp_path: Path) -> None:
    samples = stream(35, period_ns=100_000_000)  # 3.5 s at 10 Hz per topic
    bag = tmp_path / "bag"
    record_all(RecorderConfig(bag, max_duration_s=1.0), samples)

    info = yaml.safe_load((bag / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    assert len(info["files"]) == 4
    assert [f["message_count"] for f in info["files"]] == [50, 50, 50, 25]
    assert all(f["duration"]["nanoseconds"] < 10**9 for f in info["files"])
    assert info["message_count"] == len(samples)
    assert {t["topic_metadata"]["name"]: t["message_count"] for t in info["topics_with_message_count"]} == {
        topic: 35 for topic in TOPICS
    }
    with AnyReader([bag], default_typestore=typestore(DISTRO)) as reader:
        assert reader.message_count == len(samples)
        assert reader.duration == samples[-1].recv_ns - samples[0].recv_ns + 1


def test_topic_list_and_exclude_regex_select_topics(tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    config = RecorderConfig(bag, topics=("cmd_vel", "/gps/fix", "/tf"), exclude=r"^/tf$")
    assert config.topics == ("/cmd_vel", "/gps/fix", "/tf")
    record_all(config, stream(5))
    with Reader(bag) as reader:
        assert sorted(c.topic for c in reader.connections) == ["/cmd_vel", "/gps/fix"]

    everything_but_sensors = RecorderConfig(tmp_path / "all", exclude="cloud|image")
    record_all(everything_but_sensors, stream(5))
    with Reader(tmp_path / "all") as reader:
        assert sorted(c.topic for c in reader.connections) == ["/cmd_vel", "/gps/fix", "/tf"]


def test_unknown_and_conflicting_types_are_skipped_with_a_warning(tmp_path: Path, caplog) -> None:
    twist = sample("/cmd_vel", 0, 1)
    with caplog.at_level(logging.WARNING), BagRecorder(RecorderConfig(tmp_path / "bag")) as recorder:
        assert recorder.write("/cmd_vel", twist.msgtype, 1, twist.data, twist.offered_qos)
        assert not recorder.write("/lowstate", "unitree_go/msg/NoSuchState", 2, b"\0\1\0\0", ())
        assert not recorder.write("/lowstate", "unitree_go/msg/NoSuchState", 3, b"\0\1\0\0", ())
        assert not recorder.write("/cmd_vel", "geometry_msgs/msg/TwistStamped", 4, b"\0\1\0\0", ())
        status = recorder.status()
    assert [(s.topic, s.msgtype, s.messages) for s in status.skipped] == [
        ("/lowstate", "unitree_go/msg/NoSuchState", 2),
        ("/cmd_vel", "geometry_msgs/msg/TwistStamped", 1),
    ]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2  # once per topic and type, not per message
    assert "unitree_go/msg/NoSuchState" in warnings[0] and "/lowstate" in warnings[0]
    assert "already recorded as geometry_msgs/msg/Twist" in warnings[1]
    assert "skipped (geometry_msgs/msg/TwistStamped, unitree_go/msg/NoSuchState)" in status.line()
    with Reader(tmp_path / "bag") as reader:
        assert [(c.topic, c.msgcount) for c in reader.connections] == [("/cmd_vel", 1)]


def test_chunks_reach_the_disk_while_recording(tmp_path: Path) -> None:
    now = [100.0]
    config = RecorderConfig(tmp_path / "bag", chunk_interval_s=0.5, chunk_size_bytes=4096)
    recorder = BagRecorder(config, clock=lambda: now[0])
    recorder.open()
    for s in stream(3)[:3]:
        recorder.write(s.topic, s.msgtype, s.recv_ns, s.data, s.offered_qos)

    def on_disk() -> int:
        assert recorder.current_file is not None
        return sum(isinstance(r, Message) for r in complete_records(recorder.current_file))

    assert on_disk() == 0  # still in the open chunk
    now[0] += 0.4
    recorder.poll()
    assert on_disk() == 0
    now[0] += 0.1
    recorder.poll()  # the chunk is chunk_interval_s old now
    assert on_disk() == 3

    cloud = sample("/utlidar/cloud", 0, 10**9)
    for _ in range(4096 // len(cloud.data) + 1):
        recorder.write(cloud.topic, cloud.msgtype, cloud.recv_ns, cloud.data, cloud.offered_qos)
    assert on_disk() > 3  # chunk_size_bytes closed a chunk without any time passing
    recorder.close()
    assert recorder.current_file is None


def test_an_empty_recording_is_a_valid_empty_bag(tmp_path: Path) -> None:
    record_all(RecorderConfig(tmp_path / "bag"), [])
    with Reader(tmp_path / "bag") as reader:
        assert reader.message_count == 0
        assert list(reader.messages()) == []


def test_output_that_exists_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RecorderError, match="exists already"):
        BagRecorder(RecorderConfig(tmp_path)).open()


def test_write_after_close_is_refused(tmp_path: Path) -> None:
    recorder = record_all(RecorderConfig(tmp_path / "bag"), stream(1))
    s = sample("/cmd_vel", 1, 5)
    with pytest.raises(RecorderError, match="not open"):
        recorder.write(s.topic, s.msgtype, s.recv_ns, s.data)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("topics", (), "topics: give at least one"),
        ("topics", ("/ok", "9bad"), "'9bad' is not a ROS 2 topic name"),
        ("exclude", "(", "exclude: '\\(' is not a regular expression"),
        ("max_duration_s", 0.0, "max_duration_s must be > 0"),
        ("max_size_bytes", 100, "max_size_bytes must be >= chunk_size_bytes"),
        ("compression", "lz4", "compression must be 'zstd' or 'none'"),
        ("distro", "rolling", "distro must be one of \\['humble', 'jazzy'\\]"),
        ("chunk_size_bytes", 2**21, "chunk_size_bytes must be in \\[4096, 1048576\\]"),
        ("chunk_interval_s", 0.0, "chunk_interval_s must be in \\[0.01, 60\\]"),
    ],
)
def test_bad_config_names_the_field_and_range(tmp_path: Path, field: str, value: object, message: str) -> None:
    with pytest.raises(RecorderConfigError, match=message):
        RecorderConfig(tmp_path / "bag", **{field: value})


def test_record_loop_writes_a_source_and_reports_status(tmp_path: Path) -> None:
    samples = stream(30)
    statuses = []
    with BagRecorder(RecorderConfig(tmp_path / "bag")) as recorder:
        final = record(recorder, iter(samples), stop=threading.Event(), on_status=statuses.append, status_period_s=1e-6)
    assert final.messages == len(samples) and final.dropped == 0
    assert final.topics["/gps/fix"].messages == 30
    assert statuses, "on_status was never called"
    assert "150 msgs on 5 topics" in final.line()
    table = final.table()
    assert "/camera/image_raw" in table and "sensor_msgs/msg/Image" in table and "30 msgs" in table
    with Reader(tmp_path / "bag") as reader:
        assert reader.message_count == len(samples)


def test_a_failing_source_is_raised_after_its_samples_are_written(tmp_path: Path) -> None:
    def source():
        yield from stream(4)
        raise ConnectionError("DDS participant lost")

    with (
        BagRecorder(RecorderConfig(tmp_path / "bag")) as recorder,
        pytest.raises(RecorderError, match="the sample source failed: ConnectionError") as failure,
    ):
        record(recorder, source(), stop=threading.Event())
    assert isinstance(failure.value.__cause__, ConnectionError)
    with Reader(tmp_path / "bag") as reader:
        assert reader.message_count == 4 * len(TOPICS)


def test_a_recorder_that_falls_behind_drops_and_counts(tmp_path: Path) -> None:
    samples = [sample("/cmd_vel", i, i) for i in range(20_000)]
    with BagRecorder(RecorderConfig(tmp_path / "bag")) as recorder:
        final = record(recorder, iter(samples), stop=threading.Event(), max_queued=1)
    assert final.dropped > 0  # the source thread outruns the writer between GIL switches
    assert final.messages + final.dropped == len(samples)
    with Reader(tmp_path / "bag") as reader:
        assert reader.message_count == final.messages
