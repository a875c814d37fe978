"""Turns robot state, command, last action and height map into the flat float32 vector a policy reads."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from anynav.locomotion.errors import StateError
from anynav.locomotion.spec import HEIGHT_MAP_TERM, LocomotionSpec
from anynav.locomotion.state import RobotState, projected_gravity, quat_to_rpy


def _vector(name: str, value: object, size: int, what: str) -> np.ndarray:
    array = np.asarray(value)
    if array.shape != (size,):
        raise StateError(f"{name}: expected {size} values ({what}), got shape {array.shape}")
    return array


class ObservationBuilder:
    """Assembles one observation per tick in the spec's term order, with its history register.

    History follows NaVILA-Bench's wrapper: after `reset()` the first observation fills every
    slot with the current block; after that each call shifts it (oldest first, newest last), so
    the current block appears both in its term slots and as the last history entry.
    """

    def __init__(self, spec: LocomotionSpec) -> None:
        self.spec = spec
        self._sdk_index = np.array([joint.sdk_index for joint in spec.joints])
        self._default = np.array([joint.default for joint in spec.joints])
        self._out = np.zeros(spec.observation_size, dtype=np.float32)
        self._terms: list[tuple[slice, Callable[..., np.ndarray], float, tuple[float, float] | None]] = [
            (spec.slices[term.name], getattr(self, f"_{term.name}"), term.scale, term.clip) for term in spec.terms
        ]
        self._block = [spec.slices[name] for name in spec.history.terms]
        width = sum(s.stop - s.start for s in self._block)
        self._history = np.zeros((spec.history.length, width), dtype=np.float32)
        self._history_filled = False

    def reset(self) -> None:
        """Start a fresh history: the next build fills every slot with its own block."""
        self._history_filled = False

    def build(
        self,
        state: RobotState,
        command: np.ndarray,
        last_action: np.ndarray,
        height_map: np.ndarray | None = None,
    ) -> np.ndarray:
        """The observation vector (a new float32 array of the spec's size).

        `command` is (vx, vy, wz) as it should reach the policy (already clamped and zeroed by
        the controller); `last_action` is the previous clipped network output in policy order;
        `height_map` is the layout's values when the spec has a height_map term.
        """
        n_motors = self.spec.sdk_motor_count
        inputs = {
            "state": state,
            "joint_pos": _vector("joint_pos", state.joint_pos, n_motors, "SDK motor order"),
            "joint_vel": _vector("joint_vel", state.joint_vel, n_motors, "SDK motor order"),
            "command": _vector("command", command, 3, "vx, vy, wz"),
            "last_action": _vector("last_action", last_action, self.spec.action.size, "policy order"),
            "height_map": height_map,
        }
        out = self._out
        for where, compute, scale, clip in self._terms:
            values = compute(inputs)
            if clip is not None:
                values = np.clip(values, clip[0], clip[1])
            out[where] = values * scale if scale != 1.0 else values
        if self._history.shape[0]:
            block = np.concatenate([out[s] for s in self._block])
            if self._history_filled:
                self._history[:-1] = self._history[1:]
                self._history[-1] = block
            else:
                self._history[:] = block
                self._history_filled = True
            out[self.spec.history_slice] = self._history.ravel()
        return out.copy()

    @staticmethod
    def _base_lin_vel(inputs: dict) -> np.ndarray:
        velocity = inputs["state"].base_lin_vel
        if velocity is None:
            raise StateError("base_lin_vel: this policy reads the body-frame linear velocity; supply a state estimate")
        return _vector("base_lin_vel", velocity, 3, "body frame, m/s")

    @staticmethod
    def _base_ang_vel(inputs: dict) -> np.ndarray:
        return _vector("base_ang_vel", inputs["state"].base_ang_vel, 3, "body frame, rad/s")

    @staticmethod
    def _base_rpy(inputs: dict) -> np.ndarray:
        return quat_to_rpy(_vector("base_quat_wxyz", inputs["state"].base_quat_wxyz, 4, "w, x, y, z"))

    @staticmethod
    def _projected_gravity(inputs: dict) -> np.ndarray:
        return projected_gravity(_vector("base_quat_wxyz", inputs["state"].base_quat_wxyz, 4, "w, x, y, z"))

    @staticmethod
    def _velocity_commands(inputs: dict) -> np.ndarray:
        return inputs["command"]

    def _joint_pos_rel(self, inputs: dict) -> np.ndarray:
        return inputs["joint_pos"][self._sdk_index] - self._default

    def _joint_vel_rel(self, inputs: dict) -> np.ndarray:
        return inputs["joint_vel"][self._sdk_index]

    @staticmethod
    def _last_action(inputs: dict) -> np.ndarray:
        return inputs["last_action"]

    def _height_map(self, inputs: dict) -> np.ndarray:
        values = inputs["height_map"]
        if values is None:
            raise StateError(f"{HEIGHT_MAP_TERM}: this policy reads a height map ({self.spec.height_map}); none given")
        size = self.spec.slices[HEIGHT_MAP_TERM].stop - self.spec.slices[HEIGHT_MAP_TERM].start
        return _vector(HEIGHT_MAP_TERM, values, size, f"{self.spec.height_map} layout")
