"""The pinned ROS 2 message typestore: a distro's definitions plus the project's .msg files."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rosbags.typesys import Stores, get_types_from_msg, get_typestore

from anynav.msgs.errors import UnknownMessageTypeError

if TYPE_CHECKING:
    from rosbags.typesys.store import Typestore

DISTROS = {"humble": Stores.ROS2_HUMBLE, "jazzy": Stores.ROS2_JAZZY}
DEFAULT_DISTRO = "humble"
DEFINITIONS_DIR = Path(__file__).parent / "definitions"


def distro_from_env() -> str:
    """The distro whose message definitions are on the wire: ANYNAV_ROS_DISTRO, else ROS_DISTRO, else Humble."""
    name = os.environ.get("ANYNAV_ROS_DISTRO") or os.environ.get("ROS_DISTRO") or DEFAULT_DISTRO
    if name not in DISTROS:
        raise UnknownMessageTypeError(
            f"ROS distro {name!r} (from ANYNAV_ROS_DISTRO/ROS_DISTRO) is not supported; choose one of {sorted(DISTROS)}"
        )
    return name


def custom_definitions() -> dict[str, str]:
    """Message type name → .msg text for every file under msgs/definitions/<pkg>/msg/."""
    return {
        f"{path.parent.parent.name}/msg/{path.stem}": path.read_text()
        for path in sorted(DEFINITIONS_DIR.glob("*/msg/*.msg"))
    }


@functools.cache
def typestore(distro: str | None = None) -> Typestore:
    """The typestore of ``distro`` (default: from the environment) with the custom packages registered.

    Pinned explicitly: rosbags' ``Stores.LATEST`` moves with rosbags releases and would
    silently change the bytes on the wire.
    """
    store = get_typestore(DISTROS[distro or distro_from_env()])
    types: dict = {}
    for name, text in custom_definitions().items():
        types.update(get_types_from_msg(text, name))
    store.register(types)
    return store


def has_type(msgtype: str, distro: str | None = None) -> bool:
    return msgtype in typestore(distro).fielddefs


def require_type(msgtype: str, distro: str | None = None) -> None:
    """Raise UnknownMessageTypeError naming ``msgtype`` unless the typestore knows it."""
    if not has_type(msgtype, distro):
        raise UnknownMessageTypeError(
            f"unknown message type {msgtype!r}: not in the ROS 2 {distro or distro_from_env()} "
            f"definitions nor in {DEFINITIONS_DIR}"
        )
