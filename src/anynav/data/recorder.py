"""Records already-serialized ROS 2 messages into a split, chunk-compressed rosbag2 MCAP directory."""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from rosbags.interfaces import Qos, QosDurability, QosHistory, QosLiveliness, QosReliability, QosTime
from rosbags.rosbag2 import Writer
from rosbags.rosbag2.enums import CompressionFormat, CompressionMode, StoragePlugin

from anynav.data.bagdir import METADATA_VERSION, file_metadata, write_metadata
from anynav.data.errors import RecorderConfigError, RecorderError
from anynav.data.status import RecordStatus, SkippedTopic, TopicStats
from anynav.msgs.typestore import DISTROS, distro_from_env, typestore

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Self

    from rosbags.interfaces import Connection
    from rosbags.rosbag2.storage_mcap import McapWriter

_LOG = logging.getLogger(__name__)

ROSBAGS_CHUNK_LIMIT = 2**20
"""rosbags' McapWriter closes a chunk once it holds this many uncompressed bytes."""

MIN_CHUNK_BYTES = 4096
_TOKEN = r"[A-Za-z_][A-Za-z0-9_]*"
_TOPIC_NAME = re.compile(rf"/{_TOKEN}(/{_TOKEN})*")


class RawSample(NamedTuple):
    """One received message, still serialized: what the DDS side hands the recorder."""

    topic: str
    msgtype: str
    offered_qos: tuple[Qos, ...]
    recv_ns: int
    data: bytes | memoryview


def qos_from_names(history: str, depth: int, reliability: str, durability: str) -> Qos:
    """The bag's QoS record of a publisher, from policy names as rclpy and anynav.ros spell them.

    Deadline, lifespan and lease stay 0 ("default"): our runtime does not offer them, and
    0 plays back as the default on Humble and Jazzy alike.
    """
    try:
        return Qos(
            QosHistory[history.upper()],
            depth,
            QosReliability[reliability.upper()],
            QosDurability[durability.upper()],
            QosTime(0, 0),
            QosTime(0, 0),
            QosLiveliness.AUTOMATIC,
            QosTime(0, 0),
            False,
        )
    except KeyError as exc:
        raise RecorderError(
            f"QoS policy {exc.args[0].lower()!r} is not one of history keep_last|keep_all|system_default, "
            "reliability reliable|best_effort|system_default, durability volatile|transient_local|system_default"
        ) from None


@dataclass(frozen=True)
class RecorderConfig:
    """What to record and how the bag is laid out on disk.

    Attributes:
        output: bag directory to create; it must not exist. Files inside are ``<name>_<i>.mcap``.
        topics: topic names to record; a relative name gets a leading ``/``. ``None`` records every topic.
        exclude: regular expression; a topic it matches anywhere (``re.search``) is not recorded.
        max_duration_s: start a new file once a file spans this much receive time; ``None`` never splits on time.
        max_size_bytes: start a new file before its data would pass this size (at least
            ``chunk_size_bytes``); the index written at close (message definitions, chunk index,
            metadata: a few KiB) comes on top. ``None`` never splits on size.
        compression: ``"zstd"`` compresses every MCAP chunk (storage-level), ``"none"`` stores chunks raw.
        distro: whose message definitions and RIHS01 hashes go into the bag, ``"humble"`` or ``"jazzy"``;
            ``None`` takes ANYNAV_ROS_DISTRO / ROS_DISTRO.
        chunk_size_bytes: close an MCAP chunk at this many uncompressed bytes, 4 KiB to 1 MiB (rosbags
            closes at 1 MiB on its own).
        chunk_interval_s: close an MCAP chunk this long after its first message, 0.01 to 60 s. A killed
            recorder loses only the open chunk, so this bounds the loss in time.
    """

    output: Path
    topics: tuple[str, ...] | None = None
    exclude: str | None = None
    max_duration_s: float | None = None
    max_size_bytes: int | None = None
    compression: Literal["zstd", "none"] = "zstd"
    distro: str | None = None
    chunk_size_bytes: int = ROSBAGS_CHUNK_LIMIT
    chunk_interval_s: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "output", Path(self.output))
        if self.topics is not None:
            if not self.topics:
                raise RecorderConfigError("topics: give at least one topic name, or None to record every topic")
            object.__setattr__(self, "topics", tuple(_absolute_topic(name) for name in self.topics))
        if self.exclude is not None:
            try:
                re.compile(self.exclude)
            except re.error as exc:
                raise RecorderConfigError(f"exclude: {self.exclude!r} is not a regular expression: {exc}") from None
        if self.max_duration_s is not None and not (math.isfinite(self.max_duration_s) and self.max_duration_s > 0):
            raise RecorderConfigError(f"max_duration_s must be > 0 seconds or None, got {self.max_duration_s}")
        if not MIN_CHUNK_BYTES <= self.chunk_size_bytes <= ROSBAGS_CHUNK_LIMIT:
            raise RecorderConfigError(
                f"chunk_size_bytes must be in [{MIN_CHUNK_BYTES}, {ROSBAGS_CHUNK_LIMIT}], got {self.chunk_size_bytes}"
            )
        if self.max_size_bytes is not None and self.max_size_bytes < self.chunk_size_bytes:
            raise RecorderConfigError(
                f"max_size_bytes must be >= chunk_size_bytes ({self.chunk_size_bytes}) or None, "
                f"got {self.max_size_bytes}"
            )
        if self.compression not in ("zstd", "none"):
            raise RecorderConfigError(f"compression must be 'zstd' or 'none', got {self.compression!r}")
        if self.distro is not None and self.distro not in DISTROS:
            raise RecorderConfigError(f"distro must be one of {sorted(DISTROS)} or None, got {self.distro!r}")
        if not (math.isfinite(self.chunk_interval_s) and 0.01 <= self.chunk_interval_s <= 60.0):
            raise RecorderConfigError(f"chunk_interval_s must be in [0.01, 60] seconds, got {self.chunk_interval_s}")

    def selects(self, topic: str) -> bool:
        """Whether ``topic`` is recorded: listed (or all topics), and not matched by ``exclude``."""
        if self.topics is not None and topic not in self.topics:
            return False
        return self.exclude is None or re.search(self.exclude, topic) is None


def _absolute_topic(name: str) -> str:
    absolute = name if name.startswith("/") else f"/{name}"
    if not _TOPIC_NAME.fullmatch(absolute):
        raise RecorderConfigError(
            f"topics: {name!r} is not a ROS 2 topic name (tokens of letters, digits and '_' separated by '/', "
            "not starting with a digit)"
        )
    return absolute


class _TopicType(NamedTuple):
    msgtype: str
    offered_qos: tuple[Qos, ...]
    msgdef: str
    rihs01: str


class _Split:
    """One ``<bag>_<i>.mcap`` being written.

    rosbags' Writer names the file after its directory and refuses an existing directory, so
    the file is written in ``<bag>/<bag>_<i>/`` and moved up into ``<bag>/`` when closed.

    rosbags closes an MCAP chunk only at 1 MiB and never flushes its file buffer, so chunk
    control uses its McapWriter's ``chunk``, ``close_chunk`` and ``bio`` (rosbags is pinned to
    0.11.x; test/data checks a killed recorder's file for it).
    """

    def __init__(self, bag_dir: Path, index: int, compression: str) -> None:
        name = f"{bag_dir.name}_{index}"
        self.staging = bag_dir / name
        self.path = self.staging / f"{name}.mcap"
        self.final = bag_dir / f"{name}.mcap"
        self.writer = Writer(self.staging, version=METADATA_VERSION, storage_plugin=StoragePlugin.MCAP)
        if compression == "zstd":
            self.writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
        self.writer.open()
        self.connections: dict[str, Connection] = {}
        self.first_ns: int | None = None
        self.messages = 0
        self.chunk_opened_s: float | None = None

    @property
    def _storage(self) -> McapWriter:
        return self.writer.storage  # type: ignore[return-value]

    def add(self, topic: str, topic_type: _TopicType) -> None:
        self.connections[topic] = self.writer.add_connection(
            topic,
            topic_type.msgtype,
            msgdef=topic_type.msgdef,
            rihs01=topic_type.rihs01,
            offered_qos_profiles=topic_type.offered_qos,
        )

    def write(self, topic: str, recv_ns: int, data: bytes | memoryview, now_s: float) -> None:
        if self.chunk_opened_s is None:
            self.chunk_opened_s = now_s
        self.writer.write(self.connections[topic], recv_ns, data)
        self.messages += 1
        if self.first_ns is None:
            self.first_ns = recv_ns
        if not self._storage.chunk.msgs:
            # rosbags closed the chunk itself at 1 MiB; hand it to the OS.
            self._storage.bio.flush()
            self.chunk_opened_s = None

    def chunk_bytes(self) -> int:
        """Uncompressed bytes in the open chunk."""
        return self._storage.chunk.bio.tell()

    def size_bytes(self) -> int:
        """Bytes in the file plus the open chunk uncompressed: an upper bound of the file's size."""
        return self._storage.bio.tell() + self.chunk_bytes()

    def close_chunk(self) -> None:
        """Write the open chunk (if it holds a message) and flush it to the OS, so a kill cannot lose it."""
        if self._storage.chunk.msgs:
            self._storage.close_chunk()
            self._storage.bio.flush()
        self.chunk_opened_s = None

    def close(self) -> Path:
        self.writer.close()
        (self.staging / "metadata.yaml").unlink()
        self.path.replace(self.final)
        self.staging.rmdir()
        return self.final


class BagRecorder:
    """Writes raw CDR samples into one rosbag2 directory of MCAP files, splitting on time and size.

    Use as a context manager, or call ``open()`` and ``close()``. ``close()`` writes every
    sample handed to ``write()``; a killed process loses only the open chunk, at most
    ``chunk_interval_s`` of data as long as ``write()`` or ``poll()`` runs that often.
    Not thread-safe: one thread calls write/poll/close (``anynav.data.session.record`` does).
    """

    def __init__(self, config: RecorderConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._distro = config.distro or distro_from_env()
        self._types: dict[str, _TopicType] = {}
        self._stats: dict[str, TopicStats] = {}
        self._skipped: dict[tuple[str, str], SkippedTopic] = {}
        self._files: dict[str, dict] = {}
        self._closed_bytes = 0
        self._split: _Split | None = None
        self._opened_s: float | None = None
        self._closed_s: float | None = None
        self._first_ns: int | None = None
        self._last_ns: int | None = None

    @property
    def bag_dir(self) -> Path:
        return self.config.output

    @property
    def current_file(self) -> Path | None:
        """The MCAP file being written now (inside its staging directory), if any."""
        return self._split.path if self._split else None

    def open(self) -> None:
        if self._opened_s is not None:
            raise RecorderError(f"recorder for {self.bag_dir} is already open")
        if self.bag_dir.exists():
            raise RecorderError(f"output {self.bag_dir} exists already; choose a new bag directory")
        self.bag_dir.mkdir(parents=True)
        self._opened_s = self._clock()

    def write(
        self,
        topic: str,
        msgtype: str,
        recv_ns: int,
        data: bytes | memoryview,
        offered_qos: Sequence[Qos] = (),
    ) -> bool:
        """Record one serialized message; False when its topic is not selected or cannot be recorded.

        A topic's first message fixes its type and offered QoS for the whole bag.
        """
        if self._opened_s is None or self._closed_s is not None:
            raise RecorderError(f"recorder for {self.bag_dir} is not open")
        if not self.config.selects(topic):
            return False
        if not self._accepts(topic, msgtype, offered_qos):
            return False
        split = self._split_for(recv_ns, len(data))
        now = self._clock()
        split.write(topic, recv_ns, data, now)
        stats = self._stats[topic]
        self._stats[topic] = TopicStats(msgtype, stats.messages + 1, stats.payload_bytes + len(data))
        self._first_ns = recv_ns if self._first_ns is None else min(self._first_ns, recv_ns)
        self._last_ns = recv_ns if self._last_ns is None else max(self._last_ns, recv_ns)
        if split.chunk_bytes() >= self.config.chunk_size_bytes or self._chunk_due(split, now):
            split.close_chunk()
        return True

    def poll(self) -> None:
        """Close the open chunk once it is ``chunk_interval_s`` old; call it often when messages are sparse."""
        if self._split is not None and self._chunk_due(self._split, self._clock()):
            self._split.close_chunk()

    def status(self) -> RecordStatus:
        now = self._clock() if self._closed_s is None else self._closed_s
        current = self._split.size_bytes() if self._split else 0
        span = 0 if self._first_ns is None or self._last_ns is None else self._last_ns - self._first_ns
        return RecordStatus(
            elapsed_s=0.0 if self._opened_s is None else now - self._opened_s,
            duration_s=span / 1e9,
            topics=dict(self._stats),
            skipped=tuple(self._skipped.values()),
            files=len(self._files) + (1 if self._split else 0),
            bag_bytes=self._closed_bytes + current,
        )

    def close(self) -> RecordStatus:
        """Close the open file and write metadata.yaml listing every file; safe to call twice."""
        if self._closed_s is not None or self._opened_s is None:
            return self.status()
        if self._split is not None:
            self._finish_split()
        if not self._files:
            # Nothing was recorded: still leave a bag that every reader opens.
            self._split = _Split(self.bag_dir, 0, self.config.compression)
            self._finish_split()
        self._closed_s = self._clock()
        return self.status()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Close on errors too: what was received belongs in the bag.
        self.close()

    def _accepts(self, topic: str, msgtype: str, offered_qos: Sequence[Qos]) -> bool:
        known = self._types.get(topic)
        if known is not None and known.msgtype == msgtype:
            return True
        key = (topic, msgtype)
        if key in self._skipped:
            skipped = self._skipped[key]
            self._skipped[key] = skipped._replace(messages=skipped.messages + 1)
            return False
        store = typestore(self._distro)
        if known is not None:
            reason = f"topic already recorded as {known.msgtype}"
        elif msgtype not in store.fielddefs:
            reason = f"message type not in the ROS 2 {self._distro} typestore nor the project's .msg files"
        else:
            msgdef, _ = store.generate_msgdef(msgtype, ros_version=2)
            topic_type = _TopicType(msgtype, tuple(offered_qos), msgdef, store.hash_rihs01(msgtype))
            self._types[topic] = topic_type
            self._stats[topic] = TopicStats(msgtype, 0, 0)
            if self._split is not None:
                self._split.add(topic, topic_type)
            return True
        _LOG.warning("not recording %s (%s): %s", topic, msgtype, reason)
        self._skipped[key] = SkippedTopic(topic, msgtype, reason, 1)
        return False

    def _split_for(self, recv_ns: int, size: int) -> _Split:
        split = self._split
        if split is not None and split.messages and self._split_full(split, recv_ns, size):
            self._finish_split()
            split = None
        if split is None:
            split = _Split(self.bag_dir, len(self._files), self.config.compression)
            for topic, topic_type in self._types.items():
                split.add(topic, topic_type)
            self._split = split
        return split

    def _split_full(self, split: _Split, recv_ns: int, size: int) -> bool:
        cfg = self.config
        if (
            cfg.max_duration_s is not None
            and split.first_ns is not None
            and recv_ns - split.first_ns >= cfg.max_duration_s * 1e9
        ):
            return True
        return cfg.max_size_bytes is not None and split.size_bytes() + size > cfg.max_size_bytes

    def _chunk_due(self, split: _Split, now: float) -> bool:
        return split.chunk_opened_s is not None and now - split.chunk_opened_s >= self.config.chunk_interval_s

    def _finish_split(self) -> None:
        split, self._split = self._split, None
        assert split is not None
        path = split.close()
        self._files[path.name] = file_metadata(path)
        self._closed_bytes += path.stat().st_size
        write_metadata(self.bag_dir, self._files)
