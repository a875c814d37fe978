"""Low-level (joint) mode without ROS: named joint targets → signed unitree_go LowCmd, damping, the motion switcher.

Before LowCmd takes effect the robot's high-level motion service must be released
(motion switcher CheckMode 1001 / ReleaseMode 1003); ``MotionSwitcher`` runs that
handshake. ``JointTargets`` matches a controller's joints by name to the SDK motor slots,
so a left/right or Isaac/SDK order mix-up cannot reach a motor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from anynav.robots.errors import FieldError
from anynav.robots.unitree import api
from anynav.robots.unitree.joints import (
    GO2_MOTOR_MODE,
    GO2_SDK_JOINTS,
    H1_SDK_JOINTS,
    h1_motor_modes,
)
from anynav.robots.unitree.lowcmd import go_damping_cmd, go_low_cmd

NS_PER_S = 1_000_000_000


@dataclass(frozen=True)
class MotorLayout:
    """The unitree_go LowCmd slots a robot uses: the URDF joint name in each ('' = no joint) and its motor mode byte."""

    joints: tuple[str, ...]
    modes: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.joints) != len(self.modes):
            raise FieldError("modes", f"{len(self.modes)} modes for {len(self.joints)} slots")

    @property
    def names(self) -> tuple[str, ...]:
        """The joints in slot order, as /joint_states lists them."""
        return tuple(name for name in self.joints if name)

    @property
    def slots(self) -> np.ndarray:
        """The slot index of each name in ``names``."""
        return np.array([i for i, name in enumerate(self.joints) if name])


def _urdf(name: str) -> str:
    return f"{name}_joint" if name else ""


#: Go2: 12 leg motors FR, FL, RR, RL (hip, thigh, calf); go2_description joint names.
GO2_LAYOUT = MotorLayout(tuple(_urdf(n) for n in GO2_SDK_JOINTS), (GO2_MOTOR_MODE,) * len(GO2_SDK_JOINTS))
#: H1: 20 slots (slot 9 unused), strong/weak motor modes per joint; h1_description joint names.
H1_LAYOUT = MotorLayout(tuple(_urdf(n) for n in H1_SDK_JOINTS), h1_motor_modes())


class JointTargets:
    """Signed LowCmd fields from joint targets named like /joint_states, for one robot's layout."""

    def __init__(self, layout: MotorLayout) -> None:
        self.layout = layout
        self._slot = {name: i for i, name in enumerate(layout.joints) if name}
        self._modes = np.array(layout.modes)

    def low_cmd(
        self,
        names: Sequence[str],
        q: ArrayLike,
        dq: ArrayLike,
        tau: ArrayLike,
        kp: ArrayLike,
        kd: ArrayLike,
    ) -> dict[str, Any]:
        """Fields of a signed unitree_go/msg/LowCmd driving every joint of the layout.

        Raises FieldError when a name is unknown, repeated or missing (every joint must be
        commanded: a joint left out would go limp), or an array does not have one value per
        name; NonFiniteValueError for NaN/inf and FieldError for a negative gain (from
        ``go_low_cmd``), so nothing non-finite reaches a motor.
        """
        names = list(names)
        unknown = [name for name in names if name not in self._slot]
        if unknown:
            raise FieldError("name", f"unknown joint(s) {unknown}; this robot has {list(self.layout.names)}")
        if len(set(names)) != len(names):
            raise FieldError("name", f"repeated joint names in {names}")
        missing = [name for name in self.layout.names if name not in names]
        if missing:
            raise FieldError("name", f"joint(s) {missing} not commanded: every joint needs a target")
        index = [self._slot[name] for name in names]
        columns = {}
        for field, values in (("q", q), ("dq", dq), ("tau", tau), ("kp", kp), ("kd", kd)):
            array = np.asarray(values, dtype=np.float64)
            if array.shape != (len(names),):
                raise FieldError(field, f"expected {len(names)} values (one per name), got shape {array.shape}")
            column = np.zeros(len(self.layout.joints))
            column[index] = array
            columns[field] = column
        return go_low_cmd(
            columns["q"], columns["kp"], columns["kd"], dq=columns["dq"], tau=columns["tau"], mode=self._modes
        )

    def damping(self, kd: float) -> dict[str, Any]:
        """Fields of a signed LowCmd that only damps (kp = 0, kd on every joint): the robot sinks slowly."""
        return go_damping_cmd(len(self.layout.joints), kd, mode=self._modes)


class MotionSwitcher:
    """Releases the robot's high-level motion service so that LowCmd takes effect.

    CheckMode (1001); while it names an active service, ReleaseMode (1003) and check again.
    ``released`` turns true only on a CheckMode reply naming no service. A request without
    a reply, or with an error code, is sent again after ``retry_s``.
    """

    def __init__(self, retry_s: float = 1.0) -> None:
        self.retry_ns = int(retry_s * NS_PER_S)
        self.released = False
        self.active_service = ""
        self.errors = 0
        self.last_error = ""
        self._next_api = api.MotionSwitcherApi.CHECK_MODE
        self._pending: int | None = None
        self._not_before_ns = 0

    def request(self, now_ns: int) -> dict[str, Any] | None:
        """Fields of the unitree_api Request to send now, or None (released, or waiting for a reply)."""
        if self.released or now_ns < self._not_before_ns:
            return None
        if self._next_api == api.MotionSwitcherApi.CHECK_MODE:
            fields = api.motion_switcher_check_mode()
        else:
            fields = api.motion_switcher_release_mode()
        self._pending = fields["header"]["identity"]["id"]
        self._not_before_ns = now_ns + self.retry_ns
        return fields

    def answer(self, response: api.RpcResponse) -> None:
        """Take a motion switcher reply; replies to other requests are ignored."""
        if response.request_id != self._pending:
            return
        self._pending = None
        if not response.ok:
            self.errors += 1
            self.last_error = f"motion switcher api {response.api_id} answered code {response.code}"
            return
        self._not_before_ns = 0
        if response.api_id == api.MotionSwitcherApi.RELEASE_MODE:
            self._next_api = api.MotionSwitcherApi.CHECK_MODE
            return
        self.active_service = str(response.data.get("name", ""))
        if self.active_service:
            self._next_api = api.MotionSwitcherApi.RELEASE_MODE
        else:
            self.released = True
