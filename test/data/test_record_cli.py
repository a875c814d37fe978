"""`anynav record` options: parsing into a RecorderConfig, and --recover on a killed bag."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest
from bagsamples import stream

from anynav.data import BagRecorder, RecorderConfig
from anynav.data.cli import add_arguments, config_from_args, parse_size, run


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="anynav record")
    add_arguments(parser)
    return parser.parse_args(argv)


def test_options_become_a_recorder_config(tmp_path: Path) -> None:
    args = parse(
        "/camera/image_raw", "cmd_vel", "-o", str(tmp_path / "run1"), "-e", "debug", "-d", "300", "-b", "2G",
        "--compression", "none", "--distro", "jazzy", "--chunk-interval", "0.25", "--chunk-size", "256K",
    )  # fmt: skip
    assert config_from_args(args) == RecorderConfig(
        output=tmp_path / "run1",
        topics=("/camera/image_raw", "/cmd_vel"),
        exclude="debug",
        max_duration_s=300.0,
        max_size_bytes=2 * 1024**3,
        compression="none",
        distro="jazzy",
        chunk_size_bytes=256 * 1024,
        chunk_interval_s=0.25,
    )


def test_all_topics_and_the_defaults(monkeypatch) -> None:
    monkeypatch.delenv("ANYNAV_ROS_DISTRO", raising=False)
    monkeypatch.setenv("ROS_DISTRO", "jazzy")
    config = config_from_args(parse("-a"))
    assert config.topics is None
    assert config.distro == "jazzy"
    assert config.output.name.startswith("rosbag2_") and not config.output.exists()
    assert (config.compression, config.max_size_bytes, config.max_duration_s) == ("zstd", None, None)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ((), "give topics to record, or -a/--all"),
        (("-a", "/tf"), "not both"),
        (("-a", "-d", "-1"), "max_duration_s must be > 0"),
        (("-a", "--chunk-size", "2M"), "chunk_size_bytes must be in"),
    ],
)
def test_bad_options_exit_with_a_message(argv: tuple[str, ...], message: str, capsys) -> None:
    assert run(parse(*argv)) == 2
    assert message in capsys.readouterr().err


def test_an_unsupported_ros_distro_is_an_option_error(monkeypatch, capsys) -> None:
    monkeypatch.delenv("ANYNAV_ROS_DISTRO", raising=False)
    monkeypatch.setenv("ROS_DISTRO", "rolling")
    assert run(parse("-a")) == 2
    assert (
        "--distro: ROS distro 'rolling' (from ANYNAV_ROS_DISTRO/ROS_DISTRO) is not supported" in capsys.readouterr().err
    )


def test_sizes_take_binary_suffixes() -> None:
    assert [parse_size(text) for text in ("1048576", "64K", "500M", "2GiB", "1 t")] == [
        2**20, 64 * 2**10, 500 * 2**20, 2 * 2**30, 2**40,
    ]  # fmt: skip
    with pytest.raises(argparse.ArgumentTypeError, match=r"'1\.5G' is not a size"):
        parse_size("1.5G")


def test_recover_option_reports_what_it_did(tmp_path: Path, capsys) -> None:
    recorder = BagRecorder(RecorderConfig(tmp_path / "bag", chunk_size_bytes=4096))
    recorder.open()
    for s in stream(40):
        recorder.write(s.topic, s.msgtype, s.recv_ns, s.data, s.offered_qos)
    shutil.copytree(recorder.bag_dir, tmp_path / "killed")
    recorder.close()

    assert run(parse("--recover", str(tmp_path / "killed"))) == 0
    out = capsys.readouterr().out
    assert f"recovered {tmp_path / 'killed'}: 1 files" in out
    assert "bag_0.mcap" in out and "salvaged" in out
    assert f"wrote {tmp_path / 'killed' / 'metadata.yaml'}" in out

    assert run(parse("--recover", str(tmp_path / "missing"))) == 1
    assert "is not a directory" in capsys.readouterr().err
