"""Joint orders of Unitree robots: the SDK's motor indices and the training simulators' orders."""

from __future__ import annotations

from collections.abc import Sequence

from anynav.robots.errors import FieldError

#: Go2 motor index → joint, as LowCmd.motor_cmd / LowState.motor_state hold them (legs FR, FL, RR, RL).
GO2_SDK_JOINTS: tuple[str, ...] = tuple(
    f"{leg}_{part}" for leg in ("FR", "FL", "RR", "RL") for part in ("hip", "thigh", "calf")
)

#: Isaac Lab's Go2 joint order (breadth-first over the USD): what NaVILA's Go2 policies read and write.
GO2_ISAAC_JOINTS: tuple[str, ...] = tuple(
    f"{leg}_{part}" for part in ("hip", "thigh", "calf") for leg in ("FL", "FR", "RL", "RR")
)

#: H1 motor index → joint in unitree_go LowCmd/LowState (20 slots; slot 9 carries no joint).
H1_SDK_JOINTS: tuple[str, ...] = (
    "right_hip_roll",
    "right_hip_pitch",
    "right_knee",
    "left_hip_roll",
    "left_hip_pitch",
    "left_knee",
    "torso",
    "left_hip_yaw",
    "right_hip_yaw",
    "",
    "left_ankle",
    "right_ankle",
    "right_shoulder_pitch",
    "right_shoulder_roll",
    "right_shoulder_yaw",
    "right_elbow",
    "left_shoulder_pitch",
    "left_shoulder_roll",
    "left_shoulder_yaw",
    "left_elbow",
)

#: H1 joints driven in the SDK's weak-motor mode (0x01); every other H1 joint uses 0x0A.
H1_WEAK_JOINTS: frozenset[str] = frozenset(
    {"left_ankle", "right_ankle"}
    | {
        f"{side}_{j}"
        for side in ("left", "right")
        for j in ("shoulder_pitch", "shoulder_roll", "shoulder_yaw", "elbow")
    }
)
H1_WEAK_MOTOR_MODE = 0x01
H1_STRONG_MOTOR_MODE = 0x0A
GO2_MOTOR_MODE = 0x01

#: Isaac Lab's H1 joint order (NaVILA h1 policies), derived breadth-first from the kinematic
#: tree in the reference: print ``robot.data.joint_names`` once before trusting it on hardware.
H1_ISAAC_JOINTS: tuple[str, ...] = (
    "left_hip_yaw",
    "right_hip_yaw",
    "torso",
    "left_hip_roll",
    "right_hip_roll",
    "left_shoulder_pitch",
    "right_shoulder_pitch",
    "left_hip_pitch",
    "right_hip_pitch",
    "left_shoulder_roll",
    "right_shoulder_roll",
    "left_knee",
    "right_knee",
    "left_shoulder_yaw",
    "right_shoulder_yaw",
    "left_ankle",
    "right_ankle",
    "left_elbow",
    "right_elbow",
)


def index_map(names: Sequence[str], into: Sequence[str]) -> tuple[int, ...]:
    """For each joint in ``names``, its index in ``into``: ``into_values[map] == values_in_names_order``.

    Matching by name, never by position, is what keeps a left/right swap out of a policy.
    """
    position = {name: i for i, name in enumerate(into) if name}
    missing = [name for name in names if name not in position]
    if missing:
        raise FieldError("joint names", f"{missing} not among {[n for n in into if n]}")
    if len(set(names)) != len(names):
        raise FieldError("joint names", f"duplicates in {list(names)}")
    return tuple(position[name] for name in names)


def h1_motor_modes() -> tuple[int, ...]:
    """The per-motor ``mode`` byte of an H1 LowCmd: weak/strong per joint, 0 (off) for the empty slot."""
    return tuple(
        0 if not name else H1_WEAK_MOTOR_MODE if name in H1_WEAK_JOINTS else H1_STRONG_MOTOR_MODE
        for name in H1_SDK_JOINTS
    )
