"""What a running recorder has written so far, as a status line and a per-topic summary."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping


class TopicStats(NamedTuple):
    """Messages and payload bytes recorded on one topic."""

    msgtype: str
    messages: int
    payload_bytes: int


class SkippedTopic(NamedTuple):
    """A topic the recorder refused, why, and how many of its messages it dropped."""

    topic: str
    msgtype: str
    reason: str
    messages: int


@dataclass(frozen=True)
class RecordStatus:
    """A snapshot of a recording.

    Attributes:
        elapsed_s: wall time since the recorder opened.
        duration_s: receive-time span from the first to the last recorded message.
        topics: per recorded topic, its type, message count and payload bytes.
        skipped: topics not recorded because their type is unknown or conflicts.
        files: MCAP files in the bag, the one being written included.
        bag_bytes: bytes on disk, counting the open chunk uncompressed (an upper bound).
        dropped: samples lost because the recorder fell behind its source.
    """

    elapsed_s: float
    duration_s: float
    topics: Mapping[str, TopicStats]
    skipped: tuple[SkippedTopic, ...] = ()
    files: int = 0
    bag_bytes: int = 0
    dropped: int = 0

    @property
    def messages(self) -> int:
        return sum(stats.messages for stats in self.topics.values())

    def line(self) -> str:
        """One line for a terminal, printed every second or so while recording."""
        parts = [
            f"{self.elapsed_s:7.1f} s",
            f"{self.messages} msgs on {len(self.topics)} topic{'s' if len(self.topics) != 1 else ''}",
            human_bytes(self.bag_bytes),
            f"{self.files} file{'s' if self.files != 1 else ''}",
        ]
        if self.dropped:
            parts.append(f"{self.dropped} dropped")
        if self.skipped:
            count = sum(skip.messages for skip in self.skipped)
            parts.append(f"{count} skipped ({', '.join(sorted({skip.msgtype for skip in self.skipped}))})")
        return " | ".join(parts)

    def table(self) -> str:
        """Per-topic summary for the end of a recording, skipped topics with their reason."""
        rows = [
            (topic, s.msgtype, str(s.messages), human_bytes(s.payload_bytes))
            for topic, s in sorted(self.topics.items())
        ]
        widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
        lines = [
            f"{topic:<{widths[0]}}  {msgtype:<{widths[1]}}  {count:>{widths[2]}} msgs  {size:>{widths[3]}}"
            for topic, msgtype, count, size in rows
        ]
        lines += [f"skipped {s.topic} ({s.msgtype}): {s.reason}; {s.messages} msgs" for s in self.skipped]
        return "\n".join(lines)


def human_bytes(count: int) -> str:
    """1536 -> '1.5 KiB'."""
    if count < 1024:
        return f"{count} B"
    exponent = min(int(math.log(count, 1024)), 3)
    return f"{count / 1024**exponent:.1f} {('KiB', 'MiB', 'GiB')[exponent - 1]}"
