"""`anynav record`: record ROS 2 topics into a rosbag2 MCAP bag, or repair one a killed recorder left."""

from __future__ import annotations

import argparse
import logging
import re
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anynav.data.bagdir import recover
from anynav.data.errors import RecorderConfigError, RecorderError, RecoveryError
from anynav.data.recorder import ROSBAGS_CHUNK_LIMIT, BagRecorder, RawSample, RecorderConfig, qos_from_names
from anynav.data.session import record, stop_on_signals
from anynav.data.status import human_bytes
from anynav.msgs.errors import UnknownMessageTypeError
from anynav.msgs.typestore import DISTROS, distro_from_env

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rosbags.interfaces import Qos

    from anynav.data.status import RecordStatus

_SIZE = re.compile(r"(\d+)\s*([KMGT]?)(?:i?B)?", re.IGNORECASE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("topics", nargs="*", metavar="TOPIC", help="topics to record (or -a for every topic)")
    parser.add_argument("-a", "--all", action="store_true", help="record every topic")
    parser.add_argument(
        "-o", "--output", type=Path, help="bag directory to create (default: rosbag2_YYYY_MM_DD-HH_MM_SS)"
    )
    parser.add_argument("-e", "--exclude", metavar="REGEX", help="do not record topics this regular expression matches")
    parser.add_argument(
        "-d", "--max-duration", type=float, metavar="SECONDS", help="start a new .mcap file after this many seconds"
    )
    parser.add_argument(
        "-b", "--max-size", type=parse_size, metavar="BYTES", help="start a new .mcap file before this size (e.g. 2G)"
    )
    parser.add_argument(
        "--compression", choices=("zstd", "none"), default="zstd", help="MCAP chunk compression (default: zstd)"
    )
    parser.add_argument(
        "--distro",
        choices=sorted(DISTROS),
        help="message definitions stored in the bag (default: $ANYNAV_ROS_DISTRO, $ROS_DISTRO, else humble)",
    )
    parser.add_argument(
        "--chunk-interval",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="close a chunk this long after its first message: about the most a killed recorder loses (default: 1)",
    )
    parser.add_argument(
        "--chunk-size",
        type=parse_size,
        default=ROSBAGS_CHUNK_LIMIT,
        metavar="BYTES",
        help="close a chunk at this many uncompressed bytes, 4K to 1M (default: 1M)",
    )
    parser.add_argument(
        "--recover",
        type=Path,
        metavar="DIR",
        help="repair the bag DIR left by a killed recorder and rewrite its metadata.yaml, then exit",
    )


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.recover is not None:
        try:
            report = recover(args.recover)
        except RecoveryError as exc:
            print(f"anynav record --recover: {exc}", file=sys.stderr)
            return 1
        print("\n".join(report.lines()))
        return 0
    try:
        config = config_from_args(args)
    except RecorderConfigError as exc:
        print(f"anynav record: {exc}", file=sys.stderr)
        return 2
    samples = runtime_samples(config.topics, config.exclude)
    recorder = BagRecorder(config)
    try:
        recorder.open()
    except RecorderError as exc:
        print(f"anynav record: {exc}", file=sys.stderr)
        return 1
    print(f"recording into {config.output}; Ctrl-C to stop", file=sys.stderr)
    tty = sys.stderr.isatty()
    code, dropped = 0, 0
    try:
        with stop_on_signals(threading.Event()) as stop:
            dropped = record(
                recorder,
                samples,
                stop=stop,
                on_status=_print_status_tty if tty else _print_status_log,
                status_period_s=1.0 if tty else 10.0,
            ).dropped
    except RecorderError as exc:
        print(f"\nanynav record: {exc}; closing the bag with what was received", file=sys.stderr)
        code = 1
    finally:
        final = recorder.close()
    print(f"\n{final.table()}\nwrote {config.output}: {final.files} files, {human_bytes(final.bag_bytes)}")
    if dropped:
        print(f"dropped {dropped} samples: the recorder fell behind its source", file=sys.stderr)
    return code


def config_from_args(args: argparse.Namespace) -> RecorderConfig:
    """The recorder configuration the command line asks for; RecorderConfigError names a bad option."""
    if args.all and args.topics:
        raise RecorderConfigError("give topics to record or -a/--all, not both")
    if not args.all and not args.topics:
        raise RecorderConfigError("give topics to record, or -a/--all to record every topic")
    try:
        distro = args.distro or distro_from_env()
    except UnknownMessageTypeError as exc:
        raise RecorderConfigError(f"--distro: {exc}") from None
    return RecorderConfig(
        output=args.output or Path(time.strftime("rosbag2_%Y_%m_%d-%H_%M_%S")),
        topics=None if args.all else tuple(args.topics),
        exclude=args.exclude,
        max_duration_s=args.max_duration,
        max_size_bytes=args.max_size,
        compression=args.compression,
        distro=distro,
        chunk_size_bytes=args.chunk_size,
        chunk_interval_s=args.chunk_interval,
    )


def parse_size(text: str) -> int:
    """'1048576', '64K', '500M', '2GiB' -> bytes (K, M, G, T are powers of 1024)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size: use bytes or a number with K, M, G or T")
    return int(match.group(1)) * 1024 ** "_KMGT".index(match.group(2).upper() or "_")


def runtime_samples(topics: tuple[str, ...] | None, exclude: str | None) -> Iterator[RawSample]:
    """Raw samples from the DDS runtime: the one place `anynav record` depends on anynav.ros.

    ``anynav.ros.dds.record.record_source(topics, exclude)`` yields samples with ``topic``,
    ``msgtype`` ('pkg/msg/Type'), ``qos`` (the publisher's QoSProfile), ``recv_ns`` and ``data``
    (CDR bytes). Imported here so `--recover` works without a DDS stack.
    """
    from anynav.ros.dds.record import record_source

    source = record_source(list(topics) if topics else None, exclude)
    return (RawSample(s.topic, s.msgtype, (_bag_qos(s.qos),), s.recv_ns, s.data) for s in source)


def _bag_qos(profile: Any) -> Qos:
    """rclpy's and anynav.ros' QoSProfile name their policies alike: KEEP_LAST, RELIABLE, VOLATILE ..."""
    return qos_from_names(profile.history.name, profile.depth, profile.reliability.name, profile.durability.name)


def _print_status_tty(status: RecordStatus) -> None:
    print(f"\r\x1b[K{status.line()}", end="", file=sys.stderr, flush=True)


def _print_status_log(status: RecordStatus) -> None:
    print(status.line(), file=sys.stderr, flush=True)
