"""Unitree CRC against plain reimplementations; packed C structs against ctypes and the SDK's format."""

from __future__ import annotations

import ctypes
import random
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from robot_samples import random_fields
from unitree_reference import (
    CTYPES_FOR,
    crc_shift_then_inject,
    crc_xor_top_bit,
    fill_ctypes,
    go_low_cmd_sdk_pack,
    struct_crc_reference,
)

from anynav.robots.crc import struct_crc, unitree_crc32
from anynav.robots.errors import (
    CrcMismatchError,
    FieldError,
    FrameError,
    NonFiniteValueError,
)
from anynav.robots.records import message_fields, record_crc, sign, verify
from anynav.robots.unitree import structs
from anynav.ros.messages import new_message


def test_the_two_reference_formulations_agree() -> None:
    data = random.Random(0).randbytes(64)
    assert crc_shift_then_inject(data) == crc_xor_top_bit(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=4, max_size=160).map(lambda b: b[: len(b) // 4 * 4]))
def test_crc_matches_the_bitwise_loop(data: bytes) -> None:
    assert unitree_crc32(data) == crc_shift_then_inject(data)


@pytest.mark.parametrize("size", [812, 1180, 1004, 2092, 129, 1087])
def test_struct_crc_covers_every_whole_word_but_the_last(size: int) -> None:
    packed = bytearray(random.Random(size).randbytes(size))
    crc = struct_crc(bytes(packed))
    assert crc == struct_crc_reference(bytes(packed))
    packed[-1] ^= 0xFF  # inside the crc word: not covered
    assert struct_crc(bytes(packed)) == crc
    packed[0] ^= 0x01  # the first byte is covered
    assert struct_crc(bytes(packed)) != crc


def test_crc_is_not_zlib_crc32() -> None:
    import zlib

    data = bytes(range(64))
    assert unitree_crc32(data) != zlib.crc32(data)


def test_crc_rejects_partial_words() -> None:
    with pytest.raises(FrameError, match="whole 32-bit words"):
        unitree_crc32(b"\x00" * 6)


@pytest.mark.parametrize(
    ("msgtype", "size"),
    [
        ("unitree_go/msg/LowCmd", 812),
        ("unitree_go/msg/LowState", 1180),
        ("unitree_hg/msg/LowCmd", 1004),
        ("unitree_hg/msg/LowState", 2092),
    ],
)
def test_packed_struct_sizes(msgtype: str, size: int) -> None:
    assert structs.STRUCTS[msgtype].itemsize == size
    assert ctypes.sizeof(CTYPES_FOR[msgtype]) == size


@pytest.mark.parametrize("msgtype", sorted(structs.STRUCTS))
def test_packing_matches_ctypes_for_any_message(msgtype: str) -> None:
    fields = random_fields(msgtype, random.Random(msgtype))
    expected = CTYPES_FOR[msgtype]()
    fill_ctypes(expected, fields)
    assert structs.pack(msgtype, fields).tobytes() == bytes(expected)
    # the same from a real message object of the active backend
    assert structs.pack(msgtype, new_message(msgtype, **fields)).tobytes() == bytes(expected)


def test_go_low_cmd_packing_matches_the_sdk_struct_format() -> None:
    fields = random_fields("unitree_go/msg/LowCmd", random.Random(7))
    assert structs.pack("unitree_go/msg/LowCmd", fields).tobytes() == go_low_cmd_sdk_pack(fields)
    assert struct.calcsize("<4B4IH2x" + "B3x5f3I" * 20 + "4B" + "55Bx2I") == 812


@pytest.mark.parametrize("msgtype", sorted(structs.STRUCTS))
def test_sign_and_verify(msgtype: str) -> None:
    record = structs.pack(msgtype, random_fields(msgtype, random.Random(3)))
    crc = sign(record)
    assert crc == struct_crc_reference(record.tobytes())
    verify(msgtype, record)
    record["crc"] = crc ^ 1
    with pytest.raises(CrcMismatchError, match=msgtype):
        verify(msgtype, record)


@pytest.mark.parametrize("msgtype", sorted(structs.STRUCTS))
def test_message_fields_round_trip(msgtype: str) -> None:
    record = structs.pack(msgtype, random_fields(msgtype, random.Random(5)))
    fields = message_fields(record)
    assert structs.pack(msgtype, fields).tobytes() == record.tobytes()
    assert isinstance(fields["crc"], int)


def _low_cmd() -> dict:
    return random_fields("unitree_go/msg/LowCmd", random.Random(11))


def test_nan_in_a_motor_field_is_named() -> None:
    fields = _low_cmd()
    fields["motor_cmd"][3]["q"] = float("nan")
    with pytest.raises(NonFiniteValueError, match=r"motor_cmd\[3\]\.q"):
        structs.pack("unitree_go/msg/LowCmd", fields)


def test_out_of_range_integer_is_named() -> None:
    fields = _low_cmd()
    fields["motor_cmd"][5]["mode"] = 300
    with pytest.raises(FieldError, match=r"motor_cmd\[5\]\.mode.*uint8"):
        structs.pack("unitree_go/msg/LowCmd", fields)
    fields = _low_cmd()
    fields["wireless_remote"][39] = -1
    with pytest.raises(FieldError, match=r"wireless_remote\[39\]"):
        structs.pack("unitree_go/msg/LowCmd", fields)


def test_missing_field_and_wrong_lengths_are_named() -> None:
    fields = _low_cmd()
    del fields["motor_cmd"][2]["kd"]
    with pytest.raises(FieldError, match=r"motor_cmd\[2\]\.kd: missing"):
        structs.pack("unitree_go/msg/LowCmd", fields)
    fields = _low_cmd()
    fields["motor_cmd"] = fields["motor_cmd"][:12]
    with pytest.raises(FieldError, match=r"motor_cmd: expected 20 elements, got 12"):
        structs.pack("unitree_go/msg/LowCmd", fields)
    fields = _low_cmd()
    fields["head"] = [0xFE]
    with pytest.raises(FieldError, match="head: expected shape"):
        structs.pack("unitree_go/msg/LowCmd", fields)


def test_record_crc_reads_the_packed_bytes() -> None:
    record = np.zeros(1, dtype=structs.GO_LOW_CMD)
    assert record_crc(record) == struct_crc_reference(bytes(812))
