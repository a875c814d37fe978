"""Joint commands in SDK motor order: policy targets (clipped to limits), stand pose, and Unitree-style damping."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anynav.locomotion.errors import StateError
from anynav.locomotion.spec import LocomotionSpec


@dataclass(frozen=True)
class JointCommand:
    """Per-motor PD command, one entry per SDK motor slot (float32); slots no joint uses stay all zero.

    The bridge copies these into LowCmd motor_cmd[i] (q, dq, kp, kd, tau) every cycle; `mode` says
    which branch produced them: ``policy``, ``stand`` or ``damp``.
    """

    mode: str
    q: np.ndarray
    dq: np.ndarray
    kp: np.ndarray
    kd: np.ndarray
    tau: np.ndarray


class TargetMapper:
    """Precomputed per-joint arrays of one spec, so each tick is a handful of vector operations."""

    def __init__(self, spec: LocomotionSpec) -> None:
        self.spec = spec
        joints = spec.joints
        self._sdk_index = np.array([j.sdk_index for j in joints])
        self._default = np.array([j.default for j in joints])
        self._lower = np.array([j.lower for j in joints])
        self._upper = np.array([j.upper for j in joints])
        self._kp = self._scatter(np.array([j.kp for j in joints]))
        self._kd = self._scatter(np.array([j.kd for j in joints]))
        self._zeros = np.zeros(spec.sdk_motor_count, dtype=np.float32)

    def _scatter(self, values: np.ndarray) -> np.ndarray:
        out = np.zeros(self.spec.sdk_motor_count, dtype=np.float32)
        out[self._sdk_index] = values
        return out

    def clip_action(self, action: np.ndarray) -> np.ndarray:
        """The action clipped to ±action.clip (as the policy's training wrapper did), float32."""
        if action.shape != (self.spec.action.size,):
            raise StateError(f"action: expected {self.spec.action.size} values, got shape {action.shape}")
        limit = self.spec.action.clip
        return (np.clip(action, -limit, limit) if limit is not None else action).astype(np.float32)

    def policy(self, action: np.ndarray) -> JointCommand:
        """q = default + scale·action, clipped to each joint's limits, with the spec's gains."""
        q = np.clip(self._default + self.spec.action.scale * self.clip_action(action), self._lower, self._upper)
        return JointCommand(
            "policy", self._scatter(q), self._zeros.copy(), self._kp.copy(), self._kd.copy(), self._zeros.copy()
        )

    def stand(self) -> JointCommand:
        """Hold the default pose with the spec's gains (the no-policy fallback)."""
        return JointCommand(
            "stand",
            self._scatter(self._default),
            self._zeros.copy(),
            self._kp.copy(),
            self._kd.copy(),
            self._zeros.copy(),
        )

    def damping(self, kd: float) -> JointCommand:
        """kp = 0, kd = `kd` on every used motor, no torque: the robot sinks slowly, as Unitree's damp."""
        kd_all = self._scatter(np.full(len(self._sdk_index), kd))
        return JointCommand(
            "damp", self._zeros.copy(), self._zeros.copy(), self._zeros.copy(), kd_all, self._zeros.copy()
        )
