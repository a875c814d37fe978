"""The project's vendor .msg files register in the typestore and give the vendors' CDR, byte for byte."""

from __future__ import annotations

import random
from typing import Any

import pytest
from robot_samples import random_fields
from rosbags.typesys.base import Nodetype
from vendor_idl import VENDOR_TYPES

from anynav.msgs.typestore import custom_definitions, typestore
from anynav.ros.messages import new_message

REQUIRED = {
    "unitree_go": [
        "LowCmd",
        "LowState",
        "MotorCmd",
        "MotorState",
        "IMUState",
        "BmsCmd",
        "BmsState",
        "SportModeState",
        "TimeSpec",
        "PathPoint",
        "WirelessController",
    ],
    "unitree_hg": ["LowCmd", "LowState", "MotorCmd", "MotorState", "IMUState"],
    "unitree_api": [
        "Request",
        "RequestHeader",
        "RequestIdentity",
        "RequestLease",
        "RequestPolicy",
        "Response",
        "ResponseHeader",
        "ResponseStatus",
    ],
    "booster_msgs": ["RpcReqMsg", "RpcRespMsg"],
    "booster_interface": ["BoosterApiReqMsg"],
}
ALL_TYPES = sorted(f"{pkg}/msg/{name}" for pkg, names in REQUIRED.items() for name in names)


def vendor_object(msgtype: str, fields: dict[str, Any]) -> Any:
    """The same values as the vendor's type; an extra or missing field fails its constructor."""
    values = {}
    for name, (kind, info) in typestore().fielddefs[msgtype][1]:
        value = fields[name]
        if kind == Nodetype.NAME:
            values[name] = vendor_object(info, value)
        elif kind in (Nodetype.ARRAY, Nodetype.SEQUENCE) and info[0][0] == Nodetype.NAME:
            values[name] = [vendor_object(info[0][1], element) for element in value]
        else:
            values[name] = value
    return VENDOR_TYPES[msgtype](**values)


def test_every_vendor_type_is_registered_from_its_msg_file() -> None:
    assert set(ALL_TYPES) <= set(custom_definitions())
    for msgtype in ALL_TYPES:
        assert msgtype in typestore().fielddefs, msgtype


@pytest.mark.parametrize("msgtype", ALL_TYPES)
def test_cdr_matches_the_vendor_idl_byte_for_byte(msgtype: str) -> None:
    rng = random.Random(msgtype)
    for _ in range(3):
        fields = random_fields(msgtype, rng)
        ours = bytes(typestore().serialize_cdr(new_message(msgtype, **fields), msgtype))
        theirs = vendor_object(msgtype, fields).serialize()
        # Cyclone pads the payload to 4 bytes; the encapsulation options say by how much.
        assert ours == theirs[: len(theirs) - (theirs[3] & 0x3)], msgtype


@pytest.mark.parametrize("msgtype", ALL_TYPES)
def test_cdr_round_trips(msgtype: str) -> None:
    fields = random_fields(msgtype, random.Random(1))
    data = typestore().serialize_cdr(new_message(msgtype, **fields), msgtype)
    again = typestore().deserialize_cdr(data, msgtype)
    assert bytes(typestore().serialize_cdr(again, msgtype)) == bytes(data)


@pytest.mark.parametrize(
    ("msgtype", "size"),
    [
        ("unitree_go/msg/LowCmd", 812),
        ("unitree_go/msg/LowState", 1180),
        ("unitree_hg/msg/LowCmd", 1004),
        ("unitree_hg/msg/LowState", 2092),
        ("unitree_go/msg/SportModeState", 516),
    ],
)
def test_fixed_size_messages_have_the_vendor_cdr_size(msgtype: str, size: int) -> None:
    fields = random_fields(msgtype, random.Random(0))
    assert len(vendor_object(msgtype, fields).serialize()) == size
    assert len(typestore().serialize_cdr(new_message(msgtype, **fields), msgtype)) == size
