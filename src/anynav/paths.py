"""Where anynav's data folders (config/, models/) are: the source tree, then each install prefix."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SOURCE_TREE = Path(__file__).resolve().parents[2]


def data_dirs(name: str) -> list[Path]:
    """``name`` (config, models) in the source tree (editable installs), under pip's prefix and
    under every colcon prefix on AMENT_PREFIX_PATH (`share/anynav/<name>`), in that order."""
    prefixes = [sys.prefix, *filter(None, os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep))]
    return [SOURCE_TREE / name, *(Path(prefix) / "share" / "anynav" / name for prefix in prefixes)]


def config_dirs() -> list[Path]:
    """Params files, scenarios and locomotion specs: $ANYNAV_CONFIG_DIR first, then data_dirs('config')."""
    override = os.environ.get("ANYNAV_CONFIG_DIR")
    return ([Path(override)] if override else []) + data_dirs("config")
