"""Unitree's CRC-32 over a packed C struct, as the firmware checks it on LowCmd/LowState and Go1 UDP frames."""

from __future__ import annotations

import zlib

import numpy as np

from anynav.robots.errors import FrameError

# Bit-reversal of every byte value: lets zlib's reflected CRC-32 engine (C speed) run
# the non-reflected polynomial that Unitree uses.
_REVERSE_BITS = bytes(int(f"{value:08b}"[::-1], 2) for value in range(256))


def _reverse32(value: int) -> int:
    return int(f"{value:032b}"[::-1], 2)


def unitree_crc32(words: bytes | bytearray | memoryview | np.ndarray) -> int:
    """CRC-32 of little-endian uint32 ``words`` the way unitree_sdk2 and legged_sdk compute it.

    Unitree feeds each 32-bit word MSB first into a CRC with polynomial 0x04C11DB7,
    init 0xFFFFFFFF, no reflection and no final XOR: that is CRC-32/MPEG-2 over the
    words written big-endian. zlib's CRC-32 is the same polynomial run reflected with
    a final XOR, so we feed it the big-endian bytes bit-reversed and undo the
    reflection and the XOR on the result. Tests check this against a plain bitwise
    implementation of Unitree's loop.
    """
    raw = memoryview(words).cast("B") if not isinstance(words, np.ndarray) else words.view(np.uint8)
    if len(raw) % 4:
        raise FrameError("length", f"CRC input must be whole 32-bit words, got {len(raw)} bytes")
    big_endian = np.frombuffer(raw, dtype="<u4").byteswap().tobytes()
    return _reverse32(zlib.crc32(big_endian.translate(_REVERSE_BITS))) ^ 0xFFFFFFFF


def struct_crc(packed: bytes | bytearray | memoryview | np.ndarray) -> int:
    """CRC of a packed struct as the SDKs compute it: over its first ``len // 4 - 1`` words.

    That leaves out the trailing crc word of the 4-byte-aligned DDS structs (812, 1180,
    1004, 2092 B) and, for the byte-packed Go1 UDP structs (129, 1087 B), the crc word
    together with the odd bytes before it, exactly as legged_sdk's
    ``crc32_core(ptr, (sizeof(T) >> 2) - 1)`` does.
    """
    raw = memoryview(packed).cast("B") if not isinstance(packed, np.ndarray) else packed.view(np.uint8)
    n_words = len(raw) // 4 - 1
    if n_words < 1:
        raise FrameError("length", f"a packed struct of {len(raw)} bytes is too short to carry a CRC")
    return unitree_crc32(raw[: 4 * n_words])
