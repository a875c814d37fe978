"""The rosbag2 directory around the recorder's MCAP files: one merged metadata.yaml, and recovery after a kill."""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

import yaml
from mcap.exceptions import EndOfFile
from mcap.reader import make_reader
from mcap.records import Channel, Message, Schema
from mcap.stream_reader import StreamReader
from rosbags.rosbag2 import Writer
from rosbags.rosbag2.enums import CompressionFormat, CompressionMode, StoragePlugin
from rosbags.rosbag2.metadata import parse_qos
from rosbags.typesys import Stores, get_types_from_msg, get_typestore

from anynav.data.errors import RecoveryError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from mcap.records import McapRecord
    from rosbags.interfaces import Connection

METADATA_VERSION: Final = 8
"""rosbag2 metadata version we write.

Version 9 (Jazzy) writes QoS enums as strings, which Humble's parser rejects ("yaml-cpp: bad
conversion", rosbag2 #2013, rqt_bag #146). Version 8 keeps integer QoS in a string field:
Humble reads it (it ignores the newer keys) and Jazzy reads every older version.
"""

_MAGIC = b"\x89MCAP0\r\n"
_OP_FOOTER = 0x02
_OP_CHUNK = 0x06
_RECORD_HEADER = struct.Struct("<BQ")
_RECOVER_DIR = ".recover"


def file_metadata(path: Path) -> dict:
    """The rosbag2 per-file metadata rosbags embeds in a finished MCAP file (a 'rosbag2' metadata record)."""
    embedded = _embedded_metadata(path)
    if embedded is None:
        raise RecoveryError(f"{path} has no embedded rosbag2 metadata record; run recover() on its bag directory")
    return embedded


def merge_metadata(files: Mapping[str, dict]) -> dict:
    """metadata.yaml content for a bag made of ``files`` (file name -> its per-file metadata), in order."""
    if not files:
        raise RecoveryError("a bag needs at least one file")
    infos = list(files.values())
    if len(versions := {info["version"] for info in infos}) > 1:
        raise RecoveryError(f"files carry different rosbag2 metadata versions {sorted(versions)}; cannot merge")
    entries = [{**info["files"][0], "path": name} for name, info in files.items()]
    recorded = [entry for entry in entries if entry["message_count"]]
    start = min((e["starting_time"]["nanoseconds_since_epoch"] for e in recorded), default=2**63 - 1)
    end = max(
        (e["starting_time"]["nanoseconds_since_epoch"] + e["duration"]["nanoseconds"] for e in recorded), default=start
    )
    topics: dict[str, dict] = {}
    for info in infos:
        for topic in info["topics_with_message_count"]:
            key = json.dumps(topic["topic_metadata"], sort_keys=True)
            if key in topics:
                topics[key]["message_count"] += topic["message_count"]
            else:
                topics[key] = {"topic_metadata": topic["topic_metadata"], "message_count": topic["message_count"]}
    first = infos[0]
    return {
        "rosbag2_bagfile_information": {
            "version": first["version"],
            "storage_identifier": first["storage_identifier"],
            "duration": {"nanoseconds": end - start},
            "starting_time": {"nanoseconds_since_epoch": start},
            "message_count": sum(entry["message_count"] for entry in entries),
            "topics_with_message_count": list(topics.values()),
            "compression_format": first["compression_format"],
            "compression_mode": first["compression_mode"],
            "relative_file_paths": list(files),
            "files": entries,
            "custom_data": first.get("custom_data"),
            "ros_distro": first.get("ros_distro", ""),
        }
    }


def write_metadata(bag_dir: Path, files: Mapping[str, dict]) -> Path:
    """Write ``bag_dir/metadata.yaml`` for ``files`` atomically, so a kill never leaves half a file."""
    path = bag_dir / "metadata.yaml"
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(yaml.safe_dump(merge_metadata(files), sort_keys=False, default_flow_style=False))
    tmp.replace(path)
    return path


def complete_records(path: Path) -> Iterator[McapRecord]:
    """Every MCAP record up to the last complete one, chunks opened: reads a killed recorder's file.

    The mcap reader itself needs either a footer or a clean end of file; a killed writer can
    leave half a chunk at the end, so the reader is given only the complete records.
    """
    with path.open("rb") as file:
        scan = _scan(file, path)
        file.seek(0)
        reader = StreamReader(_Prefix(file, scan.end), record_size_limit=None)
        try:
            yield from reader.records
        except EndOfFile:
            return


@dataclass(frozen=True)
class RecoveredFile:
    """What recover() did with one MCAP file.

    action: ``kept`` (finished, in place), ``moved`` (finished, out of its staging directory),
    ``salvaged`` (unfinished, rewritten from its complete chunks), ``discarded`` (no complete message).
    discarded_bytes: bytes at the end of an unfinished file that held no complete record.
    """

    name: str
    action: Literal["kept", "moved", "salvaged", "discarded"]
    messages: int
    discarded_bytes: int = 0


@dataclass(frozen=True)
class RecoveryReport:
    """The outcome of recover(): one entry per file found, and the metadata.yaml written."""

    bag_dir: Path
    files: tuple[RecoveredFile, ...]
    metadata: Path

    @property
    def messages(self) -> int:
        return sum(file.messages for file in self.files if file.action != "discarded")

    def lines(self) -> list[str]:
        kept = [file for file in self.files if file.action != "discarded"]
        lines = [f"recovered {self.bag_dir}: {len(kept)} files, {self.messages} messages"]
        for file in self.files:
            line = f"  {file.name:<24} {file.action:<9} {file.messages:>9} msgs"
            if file.discarded_bytes:
                line += f"  ({file.discarded_bytes} bytes of an unfinished chunk dropped)"
            lines.append(line)
        lines.append(f"wrote {self.metadata}")
        return lines


def recover(bag_dir: Path) -> RecoveryReport:
    """Make a bag directory left by a killed recorder readable again, and rewrite its metadata.yaml.

    Finished files stay as they are; the file that was being written (in its staging directory
    ``<bag>/<bag>_<i>/``) is rewritten from its complete chunks into ``<bag>/<bag>_<i>.mcap``.
    Safe to run on a complete bag: it only rewrites metadata.yaml.
    """
    bag_dir = Path(bag_dir)
    if not bag_dir.is_dir():
        raise RecoveryError(f"{bag_dir} is not a directory")
    shutil.rmtree(bag_dir / _RECOVER_DIR, ignore_errors=True)
    results: dict[str, RecoveredFile] = {}
    for staging in sorted(path for path in bag_dir.iterdir() if (path / f"{path.name}.mcap").is_file()):
        source = staging / f"{staging.name}.mcap"
        dest = bag_dir / source.name
        if dest.exists():
            raise RecoveryError(f"both {dest} and {source} exist; move one of them out of {bag_dir}")
        results[dest.name] = _recover_file(source, dest)
        (staging / "metadata.yaml").unlink(missing_ok=True)
        source.unlink(missing_ok=True)
        staging.rmdir()
    for path in sorted(bag_dir.glob("*.mcap")):
        if path.name not in results:
            results[path.name] = _recover_file(path, path)
    names = sorted((name for name, result in results.items() if result.action != "discarded"), key=_split_index)
    if not names:
        raise RecoveryError(f"{bag_dir} holds no .mcap file with a complete message")
    metadata = write_metadata(bag_dir, {name: file_metadata(bag_dir / name) for name in names})
    ordered = sorted(results.values(), key=lambda result: _split_index(result.name))
    return RecoveryReport(bag_dir, tuple(ordered), metadata)


class _Scan(NamedTuple):
    end: int
    compression: str
    finished: bool


def _scan(file: io.BufferedReader, path: Path) -> _Scan:
    """Walk the record headers: where the complete records end, the chunk compression, footer or not."""
    size = path.stat().st_size
    file.seek(0)
    head = file.read(len(_MAGIC))
    if len(head) < len(_MAGIC) and _MAGIC.startswith(head):
        return _Scan(0, "", False)  # killed before its first chunk reached the disk
    if head != _MAGIC:
        raise RecoveryError(f"{path} is not an MCAP file (no MCAP magic at its start)")
    pos, compression = len(_MAGIC), ""
    while pos + _RECORD_HEADER.size <= size:
        file.seek(pos)
        opcode, length = _RECORD_HEADER.unpack(file.read(_RECORD_HEADER.size))
        end = pos + _RECORD_HEADER.size + length
        if end > size:
            break
        if opcode == _OP_CHUNK and not compression:
            # start, end, uncompressed size (u64 x3), crc (u32), then the compression name.
            head = file.read(min(length, 32 + 64))
            (name_len,) = struct.unpack_from("<I", head, 28)
            compression = head[32 : 32 + name_len].decode()
        if opcode == _OP_FOOTER:
            file.seek(end)
            finished = file.read(len(_MAGIC)) == _MAGIC
            return _Scan(size if finished else end, compression, finished)
        pos = end
    return _Scan(pos, compression, False)


class _Prefix(io.RawIOBase):
    """The first ``size`` bytes of an open file, for readers that read until end of file."""

    def __init__(self, file: io.BufferedReader, size: int) -> None:
        self._file = file
        self._left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._file.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def _embedded_metadata(path: Path) -> dict | None:
    with path.open("rb") as file:
        for record in make_reader(file).iter_metadata():
            if record.name == "rosbag2":
                return yaml.safe_load(record.metadata["serialized_metadata"])
    return None


def _recover_file(source: Path, dest: Path) -> RecoveredFile:
    with source.open("rb") as file:
        scan = _scan(file, source)
    size = source.stat().st_size
    if scan.finished and (info := _embedded_metadata(source)) is not None:
        if source != dest:
            source.replace(dest)
        return RecoveredFile(dest.name, "kept" if source == dest else "moved", info["message_count"])
    messages = _rewrite(source, dest, scan.compression)
    if not messages:
        source.unlink()
        return RecoveredFile(dest.name, "discarded", 0, size)
    return RecoveredFile(dest.name, "salvaged", messages, size - scan.end)


def _rewrite(source: Path, dest: Path, compression: str) -> int:
    """Copy every complete message of ``source`` into a finished MCAP file at ``dest``; return the count."""
    workdir = dest.parent / _RECOVER_DIR / dest.stem
    writer = Writer(workdir, version=METADATA_VERSION, storage_plugin=StoragePlugin.MCAP)
    if compression == "zstd":
        writer.set_compression(CompressionMode.STORAGE, CompressionFormat.ZSTD)
    writer.open()
    schemas: dict[int, Schema] = {}
    channels: dict[int, Connection] = {}
    messages = 0
    for record in complete_records(source):
        if isinstance(record, Schema):
            schemas[record.id] = record
        elif isinstance(record, Channel) and record.id not in channels:
            channels[record.id] = _add_channel(writer, record, schemas, source)
        elif isinstance(record, Message):
            writer.write(channels[record.channel_id], record.log_time, record.data)
            messages += 1
    writer.close()
    if messages:
        (workdir / f"{dest.stem}.mcap").replace(dest)
    shutil.rmtree(dest.parent / _RECOVER_DIR)
    return messages


def _add_channel(writer: Writer, channel: Channel, schemas: Mapping[int, Schema], source: Path) -> Connection:
    schema = schemas.get(channel.schema_id)
    if schema is None or schema.encoding != "ros2msg" or channel.message_encoding != "cdr":
        raise RecoveryError(
            f"{source}: channel {channel.topic!r} has no ros2msg schema with cdr messages; cannot rebuild it"
        )
    msgdef = schema.data.decode()
    existing = next(
        (conn for conn in writer.connections if conn.topic == channel.topic and conn.msgtype == schema.name), None
    )
    if existing is not None:
        return existing
    return writer.add_connection(
        channel.topic,
        schema.name,
        msgdef=msgdef,
        rihs01=_rihs01(schema.name, msgdef),
        offered_qos_profiles=parse_qos(channel.metadata.get("offered_qos_profiles", "")),
    )


@functools.cache
def _rihs01(msgtype: str, msgdef: str) -> str:
    """The RIHS01 type hash of a message definition as stored in the file, independent of any distro."""
    store = get_typestore(Stores.EMPTY)
    store.register(get_types_from_msg(msgdef, msgtype))
    return store.hash_rihs01(msgtype)


def _split_index(name: str) -> tuple[int, str]:
    match = re.search(r"_(\d+)\.mcap$", name)
    return (int(match.group(1)) if match else -1, name)
