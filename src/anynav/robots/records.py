"""C structs as numpy records: filled from ROS messages or dicts, turned back into message fields.

The firmware checks CRCs over C structs, not over CDR, so every LowCmd/LowState and
Go1 UDP frame passes through one of these records. Messages are read by attribute
(rosbags, rclpy or Cyclone classes alike) or by key (plain dicts), column by column so
that an array of 20 motor structs costs a handful of numpy assignments.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from anynav.robots.crc import struct_crc
from anynav.robots.errors import (
    CrcMismatchError,
    FieldError,
    FrameError,
    NonFiniteValueError,
)


def c_struct(fields: list[tuple[Any, ...]], *, packed: bool = False) -> np.dtype:
    """A structured dtype laid out like the C struct: natural alignment, or ``#pragma pack(1)``."""
    return np.dtype(fields, align=not packed)


def _get(source: Any, name: str, prefix: str) -> Any:
    if isinstance(source, dict) or (not hasattr(source, name) and isinstance(source, Mapping)):
        if name not in source:
            raise FieldError(prefix + name, "missing")
        return source[name]
    try:
        return getattr(source, name)
    except AttributeError:
        raise FieldError(prefix + name, f"missing on {type(source).__name__}") from None


def field(message: Any, name: str) -> Any:
    """Field ``name`` of a message object (any backend) or of a dict of message fields."""
    return message[name] if isinstance(message, dict) else getattr(message, name)


def _check_length(value: Any, length: int, field: str) -> Sequence[Any]:
    if not isinstance(value, (Sequence, np.ndarray)) or isinstance(value, (str, bytes)):
        raise FieldError(
            field,
            f"expected a sequence of {length} structs, got {type(value).__name__}",
        )
    if len(value) != length:
        raise FieldError(field, f"expected {length} elements, got {len(value)}")
    return value


@functools.cache
def _integer_range(dtype: np.dtype) -> tuple[int, int]:
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def _bad_element(mask: np.ndarray, prefixes: Sequence[str], name: str) -> tuple[str, tuple[int, ...]]:
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    return prefixes[index[0]] + name + "".join(f"[{i}]" for i in index[1:]), index


@functools.cache
def _layout(dtype: np.dtype) -> tuple[tuple[str, bool, bool], ...]:
    """Per field: name, whether it is a struct, whether it is an array."""
    return tuple(
        (
            name,
            dtype.fields[name][0].base.names is not None,
            bool(dtype.fields[name][0].shape),
        )
        for name in dtype.names
    )


def _assign_numbers(
    dest: np.ndarray,
    name: str,
    values: list[Any],
    prefixes: Sequence[str],
    finite: bool,
) -> None:
    """Assign one column of plain numbers; ``prefixes[row] + name`` names a row's field in errors."""
    column = dest[name]
    target = column.dtype
    try:
        array = np.asarray(
            [np.frombuffer(v, np.uint8) if type(v) in (bytes, bytearray) else v for v in values],
            dtype=np.float64 if target.kind == "f" else None,
        )
    except (TypeError, ValueError) as err:
        raise FieldError(prefixes[0] + name, f"not numeric: {err}") from None
    if array.shape != column.shape:
        row = next((i for i, v in enumerate(values) if np.shape(v) != column.shape[1:]), 0)
        raise FieldError(
            prefixes[row] + name,
            f"expected shape {column.shape[1:] or 'scalar'}, got {np.shape(values[row]) or 'scalar'}",
        )
    if target.kind == "f":
        if finite and not np.isfinite(array).all():
            field, index = _bad_element(~np.isfinite(array), prefixes, name)
            raise NonFiniteValueError(field, f"{array[index]} is not finite")
    elif array.size and not (array.dtype.kind in "iu" and np.can_cast(array.dtype, target)):
        if array.dtype.kind not in "iu" and (array.dtype.kind != "f" or not np.array_equal(array, np.round(array))):
            raise FieldError(
                prefixes[0] + name,
                f"expected integers for {target}, got {array.ravel()[:4]}",
            )
        low, high = _integer_range(target)
        if array.min() < low or array.max() > high:
            field, index = _bad_element((array < low) | (array > high), prefixes, name)
            raise FieldError(field, f"{array[index]} outside the {target} range [{low}, {high}]")
    dest[name] = array


def _fill(dest: np.ndarray, sources: Sequence[Any], prefixes: Sequence[str], finite: bool) -> None:
    """Fill the 1-D structured array ``dest`` from ``sources``, one message per element."""
    for name, is_struct, is_array in _layout(dest.dtype):
        values = [_get(source, name, prefix) for source, prefix in zip(sources, prefixes)]
        if not is_struct:
            _assign_numbers(dest, name, values, prefixes, finite)
        elif is_array:
            column = dest[name]
            length = column.shape[1]
            for row, (value, prefix) in enumerate(zip(values, prefixes)):
                field = prefix + name
                elements = _check_length(value, length, field)
                _fill(
                    column[row],
                    elements,
                    [f"{field}[{i}]." for i in range(length)],
                    finite,
                )
        else:
            _fill(dest[name], values, [prefix + name + "." for prefix in prefixes], finite)


def require_finite(field: str, values: Any) -> np.ndarray:
    """``values`` as a float64 array, or NonFiniteValueError naming ``field`` and the first bad index."""
    array = np.asarray(values, dtype=np.float64)
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        index = tuple(int(i) for i in bad[0])
        raise NonFiniteValueError(field + "".join(f"[{i}]" for i in index), f"{array[index]} is not finite")
    return array


def finite_command(name: str, value: float) -> float:
    """``value`` as a float, or NonFiniteValueError naming ``name``: nothing non-finite is sent to a robot."""
    number = float(value)
    if not math.isfinite(number):
        raise NonFiniteValueError(name, f"{value} is not finite; refusing to send it to the robot")
    return number


def record_from_message(dtype: np.dtype, message: Any, *, finite: bool = True) -> np.ndarray:
    """A one-element record of ``dtype`` with every field read from ``message`` (object or dict).

    Raises FieldError naming the field when one is missing, has the wrong length or does
    not fit its C type, and NonFiniteValueError for NaN/inf in a float field when
    ``finite`` (the default: nothing non-finite goes to a motor).
    """
    record = np.zeros(1, dtype=dtype)
    _fill(record, [message], [""], finite)
    return record


def record_from_bytes(dtype: np.dtype, buffer: bytes | bytearray | memoryview, what: str) -> np.ndarray:
    """A one-element record holding a copy of ``buffer``, which must be exactly one struct long."""
    if len(buffer) != dtype.itemsize:
        raise FrameError("length", f"{what}: expected {dtype.itemsize} bytes, got {len(buffer)}")
    return np.frombuffer(bytes(buffer), dtype=dtype).copy()


def record_crc(record: np.ndarray) -> int:
    """The CRC a one-element record must carry in its ``crc`` field (Unitree CRC-32 of its packed bytes)."""
    return struct_crc(record.view(np.uint8))


def sign(record: np.ndarray) -> int:
    """Write the CRC into the record's ``crc`` field (the last write before sending) and return it."""
    crc = record_crc(record)
    record["crc"] = crc
    return crc


def verify(what: str, record: np.ndarray) -> None:
    """Raise CrcMismatchError naming ``what`` unless the record's ``crc`` field matches its packed bytes."""
    expected = record_crc(record)
    actual = int(record["crc"][0])
    if actual != expected:
        raise CrcMismatchError(what, expected, actual)


def message_fields(record: np.ndarray) -> dict[str, Any]:
    """Nested plain fields of a one-element record, ready for ``new_message(msgtype, **fields)``.

    Scalars become Python ints/floats, arrays become numpy arrays, arrays of structs
    become lists of dicts. Converted column by column, so 20 motors cost a few list
    conversions rather than 140 scalar reads.
    """
    return _rows(record)[0]


def _rows(array: np.ndarray) -> list[dict[str, Any]]:
    """One dict of fields per element of the 1-D structured ``array``."""
    layout = _layout(array.dtype)
    columns: list[list[Any]] = []
    for name, is_struct, is_array in layout:
        column = array[name]
        if is_struct:
            columns.append([_rows(row) for row in column] if is_array else _rows(column))
        elif is_array:
            columns.append(list(column.copy()))
        else:
            columns.append(column.tolist())
    names = [name for name, _, _ in layout]
    return [dict(zip(names, row)) for row in zip(*columns)]
