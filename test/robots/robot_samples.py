"""Random but valid field values for any registered message type, shared by the robot tests."""

from __future__ import annotations

import random
import string
from typing import Any

import numpy as np
from rosbags.typesys.base import Nodetype

from anynav.msgs.typestore import typestore

FLOAT_KINDS = {"float32", "float64"}


def _random_base(kind: str, rng: random.Random) -> Any:
    if kind in FLOAT_KINDS:
        return float(np.float32(rng.uniform(-1000, 1000)))
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "string":
        return "".join(rng.choice(string.ascii_letters + '{}":,') for _ in range(rng.randrange(0, 24)))
    return rng.randrange(0, 128)  # fits every int type, signed or not, so vendor and ROS signedness agree


def random_fields(msgtype: str, rng: random.Random) -> dict[str, Any]:
    """Random values for every field of ``msgtype``, driven by the registered definition."""
    fields: dict[str, Any] = {}
    for name, (kind, info) in typestore().fielddefs[msgtype][1]:
        if kind == Nodetype.BASE:
            fields[name] = _random_base(info[0], rng)
        elif kind == Nodetype.NAME:
            fields[name] = random_fields(info, rng)
        else:
            (subkind, subinfo), size = info
            count = size if kind == Nodetype.ARRAY else rng.randrange(0, 6)
            if subkind == Nodetype.NAME:
                fields[name] = [random_fields(subinfo, rng) for _ in range(count)]
            else:
                fields[name] = [_random_base(subinfo[0], rng) for _ in range(count)]
    return fields
