"""Build signed Unitree LowCmd messages (unitree_go for Go2/H1, unitree_hg for G1/H1-2) from joint targets.

Every builder validates its inputs (finite, right length, gains non-negative), fills the
packed C struct column-wise, writes the CRC last and returns the message fields for
``new_message(msgtype, **fields)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from anynav.robots.errors import FieldError
from anynav.robots.records import message_fields, record_crc, require_finite, sign
from anynav.robots.unitree import structs

GO_LOW_CMD = "unitree_go/msg/LowCmd"
HG_LOW_CMD = "unitree_hg/msg/LowCmd"
HEAD = (0xFE, 0xEF)
LEVEL_LOW = 0xFF
#: q / dq values that tell the motor to hold no position / velocity target (unitree_sdk2 PosStopF / VelStopF).
POS_STOP_F = 2.146e9
VEL_STOP_F = 16000.0


def _vector(name: str, value: ArrayLike | None, length: int) -> np.ndarray:
    if value is None:
        return np.zeros(length)
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        array = np.full(length, float(array))
    if array.shape != (length,):
        raise FieldError(
            name,
            f"expected {length} values (one per motor slot in use), got shape {array.shape}",
        )
    return require_finite(name, array)


def _modes(value: int | ArrayLike, length: int) -> np.ndarray:
    modes = np.asarray(value)
    if modes.ndim == 0:
        modes = np.full(length, modes)
    if modes.shape != (length,):
        raise FieldError("mode", f"expected {length} values, got shape {modes.shape}")
    if modes.dtype.kind not in "iu" or modes.min() < 0 or modes.max() > 0xFF:
        raise FieldError("mode", f"motor modes must be integers in [0, 255], got {modes}")
    return modes


def _motor_columns(
    count: int,
    slots: int,
    q: ArrayLike,
    kp: ArrayLike,
    kd: ArrayLike,
    dq: ArrayLike | None,
    tau: ArrayLike | None,
    mode: int | ArrayLike,
) -> dict[str, np.ndarray]:
    if not 1 <= count <= slots:
        raise FieldError("q", f"between 1 and {slots} motors, got {count}")
    columns = {
        "q": _vector("q", q, count),
        "dq": _vector("dq", dq, count),
        "tau": _vector("tau", tau, count),
        "kp": _vector("kp", kp, count),
        "kd": _vector("kd", kd, count),
    }
    for gain in ("kp", "kd"):
        negative = np.flatnonzero(columns[gain] < 0)
        if negative.size:
            raise FieldError(
                f"{gain}[{negative[0]}]",
                f"{columns[gain][negative[0]]} < 0; gains must be >= 0",
            )
    columns["mode"] = _modes(mode, count)
    return columns


def _signed(dtype: np.dtype, slots: int, header: dict[str, Any], q, kp, kd, dq, tau, mode) -> dict[str, Any]:
    columns = _motor_columns(int(np.size(q)), slots, q, kp, kd, dq, tau, mode)
    record = np.zeros(1, dtype=dtype)
    for name, value in header.items():
        record[name] = value
    motors = record["motor_cmd"][0]
    for name, column in columns.items():
        motors[name][: len(column)] = column
    sign(record)
    return message_fields(record)


def go_low_cmd(
    q: ArrayLike,
    kp: ArrayLike,
    kd: ArrayLike,
    *,
    dq: ArrayLike | None = None,
    tau: ArrayLike | None = None,
    mode: int | ArrayLike = 0x01,
) -> dict[str, Any]:
    """Fields of a signed unitree_go/msg/LowCmd (812 B struct) for the first ``len(q)`` motor slots.

    PD targets ``q``/``dq``, feed-forward ``tau`` and gains, in SDK motor order (see
    ``joints``); scalars apply to every slot in use. Slots past ``len(q)`` stay zero
    with mode 0 (motor off). ``mode`` is one byte per motor or one for all (Go2: 0x01;
    H1: ``joints.h1_motor_modes()``).
    """
    header = {"head": HEAD, "level_flag": LEVEL_LOW}
    return _signed(structs.GO_LOW_CMD, structs.GO_MOTOR_COUNT, header, q, kp, kd, dq, tau, mode)


def go_damping_cmd(motors: int, kd: float, *, mode: int | ArrayLike = 0x01) -> dict[str, Any]:
    """Fields of a signed unitree_go LowCmd that only damps: kp = 0, target velocity 0, gain ``kd``.

    The frame to keep sending when a low-level controller stops or its input goes stale:
    joints sink slowly instead of holding a last target or going limp at speed.
    """
    if not np.isfinite(kd) or kd <= 0:
        raise FieldError("kd", f"damping gain must be finite and > 0, got {kd}")
    return go_low_cmd(np.zeros(motors), 0.0, kd, mode=mode)


def hg_low_cmd(
    q: ArrayLike,
    kp: ArrayLike,
    kd: ArrayLike,
    *,
    mode_machine: int,
    dq: ArrayLike | None = None,
    tau: ArrayLike | None = None,
    mode: int | ArrayLike = 0x01,
    mode_pr: int = 0,
) -> dict[str, Any]:
    """Fields of a signed unitree_hg/msg/LowCmd (1004 B struct) for G1/H1-2.

    ``mode_machine`` must echo the robot's LowState.mode_machine; ``mode_pr`` 0 drives
    the ankles in pitch/roll (PR) mode.
    """
    for name, value in (("mode_machine", mode_machine), ("mode_pr", mode_pr)):
        if not isinstance(value, (int, np.integer)) or not 0 <= value <= 0xFF:
            raise FieldError(name, f"must be an integer in [0, 255], got {value!r}")
    header = {"mode_pr": mode_pr, "mode_machine": mode_machine}
    return _signed(structs.HG_LOW_CMD, structs.HG_MOTOR_COUNT, header, q, kp, kd, dq, tau, mode)


def sign_low_cmd(msgtype: str, message: Any) -> int:
    """The CRC to put in ``message.crc`` (set it last) after checking every field of ``message``.

    For LowCmd messages built or edited by hand: packs the struct, rejecting NaN/inf
    and out-of-range values with the field named.
    """
    if msgtype not in (GO_LOW_CMD, HG_LOW_CMD):
        raise FieldError(
            "msgtype",
            f"{msgtype!r} is not a Unitree LowCmd; expected {GO_LOW_CMD} or {HG_LOW_CMD}",
        )
    return record_crc(structs.pack(msgtype, message))
