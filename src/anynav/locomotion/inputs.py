"""The controller's inputs from the bridge's topics: joints matched by name into SDK order, IMU, body velocity, map.

Every sample is stamped when it arrives (the node's clock), so a robot clock that disagrees
with ours cannot make a stale state look fresh. Non-finite numbers are passed through on
purpose: the safety supervisor sees them and damps in the same tick, where dropping them
would only let the state go stale a few periods later.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from anynav.locomotion.errors import StateError
from anynav.locomotion.spec import HEIGHT_MAP_TERM, LocomotionSpec
from anynav.locomotion.state import HeightMapSample, RobotState


class JointNameMap:
    """Spec joints ↔ the names the bridge uses on /joint_states and /joint_command (spec name + `suffix`).

    NaVILA's H1 joints are named without the URDF's ``_joint`` suffix, the Go2's with it; the
    suffix bridges that, and matching stays by name, never by position.
    """

    def __init__(self, spec: LocomotionSpec, suffix: str = "") -> None:
        self.spec = spec
        self.names = tuple(joint.name + suffix for joint in spec.joints)
        self.sdk_index = np.array([joint.sdk_index for joint in spec.joints])
        self._order: tuple[tuple[str, ...], np.ndarray] | None = None

    def _positions_of(self, names: Sequence[str]) -> np.ndarray:
        key = tuple(names)
        if self._order is None or self._order[0] != key:
            where = {name: i for i, name in enumerate(key)}
            missing = [name for name in self.names if name not in where]
            if missing:
                raise StateError(f"joint_states: no joint(s) {missing}; it names {list(key)}")
            self._order = (key, np.array([where[name] for name in self.names]))
        return self._order[1]

    def to_sdk(self, names: Sequence[str], values: Sequence[float], what: str) -> np.ndarray:
        """`values` (one per name in `names`) as an SDK-order array of sdk_motor_count; unused slots 0."""
        array = np.asarray(values, dtype=np.float64)
        if array.shape != (len(names),):
            raise StateError(f"joint_states.{what}: {array.size} values for {len(names)} names")
        out = np.zeros(self.spec.sdk_motor_count)
        out[self.sdk_index] = array[self._positions_of(names)]
        return out

    def from_sdk(self, values: np.ndarray) -> np.ndarray:
        """The spec joints' entries of an SDK-order array, in the order of `names` (float32)."""
        return np.asarray(values, dtype=np.float32)[self.sdk_index]


class StateInputs:
    """The newest joint, IMU and (when the policy reads it) body-velocity samples; `state()` assembles them."""

    def __init__(self, joints: JointNameMap, needs_body_velocity: bool) -> None:
        self.joints = joints
        self.needs_body_velocity = needs_body_velocity
        self._joint: tuple[int, np.ndarray, np.ndarray] | None = None
        self._imu: tuple[int, np.ndarray, np.ndarray] | None = None
        self._velocity: tuple[int, np.ndarray] | None = None

    def joint_state(
        self, now_ns: int, names: Sequence[str], position: Sequence[float], velocity: Sequence[float]
    ) -> None:
        """Take a JointState's arrays; StateError (and nothing kept) when a joint is missing or sizes differ."""
        q = self.joints.to_sdk(names, position, "position")
        dq = self.joints.to_sdk(names, velocity, "velocity")
        self._joint = (now_ns, q, dq)

    def imu(self, now_ns: int, quat_xyzw: Sequence[float], angular_velocity: Sequence[float]) -> None:
        x, y, z, w = (float(v) for v in quat_xyzw)
        self._imu = (now_ns, np.array((w, x, y, z)), np.asarray(angular_velocity, dtype=np.float64))

    def body_velocity(self, now_ns: int, linear: Sequence[float]) -> None:
        self._velocity = (now_ns, np.asarray(linear, dtype=np.float64))

    def stamps(self) -> dict[str, int | None]:
        """Arrival time of the newest sample of each input (None: never)."""
        stamps = {
            "joint_states": self._joint[0] if self._joint else None,
            "imu": self._imu[0] if self._imu else None,
        }
        if self.needs_body_velocity:
            stamps["odom"] = self._velocity[0] if self._velocity else None
        return stamps

    def state(self) -> RobotState | None:
        """The robot state, stamped with its OLDEST input (so any one going quiet ages it); None until all arrived."""
        if self._joint is None or self._imu is None or (self.needs_body_velocity and self._velocity is None):
            return None
        stamps = [self._joint[0], self._imu[0]]
        velocity = None
        if self._velocity is not None:
            stamps.append(self._velocity[0])
            velocity = self._velocity[1]
        return RobotState(
            stamp_ns=min(stamps),
            base_quat_wxyz=self._imu[1],
            base_ang_vel=self._imu[2],
            joint_pos=self._joint[1],
            joint_vel=self._joint[2],
            base_lin_vel=velocity,
        )


def height_map_sample(spec: LocomotionSpec, now_ns: int, data: Sequence[float]) -> HeightMapSample:
    """A received /heightmap as a sample stamped `now_ns`; StateError when its size is not the spec layout's."""
    where = spec.slices[HEIGHT_MAP_TERM]
    values = np.asarray(data, dtype=np.float32)
    size = where.stop - where.start
    if values.shape != (size,):
        raise StateError(
            f"heightmap: {values.size} values, the {spec.height_map} layout has {size}: "
            "check the heightmap node's layout"
        )
    return HeightMapSample(values, now_ns)
