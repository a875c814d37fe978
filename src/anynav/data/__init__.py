"""Data capture: the bag recorder behind `anynav record`, and recovery of bags left by a killed recorder."""

from __future__ import annotations

from anynav.data.bagdir import (
    METADATA_VERSION,
    RecoveredFile,
    RecoveryReport,
    complete_records,
    file_metadata,
    merge_metadata,
    recover,
    write_metadata,
)
from anynav.data.errors import DataError, RecorderConfigError, RecorderError, RecoveryError
from anynav.data.recorder import BagRecorder, RawSample, RecorderConfig, qos_from_names
from anynav.data.session import record, stop_on_signals
from anynav.data.status import RecordStatus, SkippedTopic, TopicStats

__all__ = [
    "METADATA_VERSION",
    "BagRecorder",
    "DataError",
    "RawSample",
    "RecordStatus",
    "RecorderConfig",
    "RecorderConfigError",
    "RecorderError",
    "RecoveredFile",
    "RecoveryError",
    "RecoveryReport",
    "SkippedTopic",
    "TopicStats",
    "complete_records",
    "file_metadata",
    "merge_metadata",
    "qos_from_names",
    "record",
    "recover",
    "stop_on_signals",
    "write_metadata",
]
