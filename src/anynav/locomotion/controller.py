"""One 50 Hz locomotion tick: safety verdict → observation → ONNX policy → joint command in SDK order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anynav.locomotion.errors import ControllerConfigError
from anynav.locomotion.observation import ObservationBuilder
from anynav.locomotion.policy import OnnxPolicy
from anynav.locomotion.safety import Mode, SafetyConfig, SafetySupervisor, Verdict
from anynav.locomotion.spec import HEIGHT_MAP_TERM, LocomotionSpec
from anynav.locomotion.state import HeightMapSample, RobotState, VelocityCommand
from anynav.locomotion.targets import JointCommand, TargetMapper


@dataclass(frozen=True)
class ControlStep:
    """What one tick produced: the joint command to send, the verdict, and the policy's in/out (if it ran)."""

    joints: JointCommand
    verdict: Verdict
    observation: np.ndarray | None = None
    action: np.ndarray | None = None


def _check_compatible(main: LocomotionSpec, blind: LocomotionSpec) -> None:
    """The blind policy must drive the same motors the same way, or switching would jerk the robot."""
    if blind.term(HEIGHT_MAP_TERM) is not None:
        raise ControllerConfigError(f"{blind.source}: the blind fallback policy must not read a height map")
    if blind.sdk_motor_count != main.sdk_motor_count or blind.action != main.action:
        raise ControllerConfigError(f"{blind.source}: sdk_motor_count/action differ from {main.source}")
    for i, (a, b) in enumerate(zip(main.joints, blind.joints)):
        if a != b:
            raise ControllerConfigError(f"{blind.source}: joints[{i}] {b.name} differs from {main.source}'s {a.name}")


class _Branch:
    """A policy with its own observation history and target mapping."""

    def __init__(self, policy: OnnxPolicy) -> None:
        self.policy = policy
        self.builder = ObservationBuilder(policy.spec)
        ranges = policy.spec.commands
        self.low = np.array((ranges.vx[0], ranges.vy[0], ranges.wz[0]))
        self.high = np.array((ranges.vx[1], ranges.vy[1], ranges.wz[1]))


class LocomotionController:
    """Owns the supervisor, the main policy and an optional blind fallback; `step` is called every period.

    The command reaching a policy is zeroed by the supervisor (warm-up, TTL) and clamped to the
    range that policy was trained on. When a policy (re)starts its history is refilled from the
    current state and its last action is zero, as NaVILA-Bench does on reset. A NaN observation or
    action latches damping in the same tick, before anything reaches the motors.
    """

    def __init__(self, policy: OnnxPolicy, safety: SafetyConfig, blind: OnnxPolicy | None = None) -> None:
        if blind is not None:
            _check_compatible(policy.spec, blind.spec)
        self.spec = policy.spec
        self.supervisor = SafetySupervisor(
            safety, needs_height_map=self.spec.term(HEIGHT_MAP_TERM) is not None, has_blind_policy=blind is not None
        )
        self._branches = {Mode.POLICY: _Branch(policy)}
        if blind is not None:
            self._branches[Mode.BLIND] = _Branch(blind)
        self._targets = TargetMapper(self.spec)
        self._damping_kd = safety.damping_kd
        self._active: Mode | None = None
        self._last_action = np.zeros(self.spec.action.size, dtype=np.float32)

    def start(self) -> None:
        """Arm the controller; it damps until the first state, then warms up with a zero command."""
        self.supervisor.start()

    def reset(self) -> None:
        """Operator reset after a latched trip (e-stop, fall, lost state)."""
        self.supervisor.reset()

    def engage_estop(self, reason: str = "e-stop") -> None:
        """Latch damping; the next step returns it."""
        self.supervisor.engage_estop(reason)

    def step(
        self,
        now_ns: int,
        state: RobotState | None,
        command: VelocityCommand | None,
        height_map: HeightMapSample | None,
    ) -> ControlStep:
        """The joint command for the tick at `now_ns` from the latest inputs."""
        verdict = self.supervisor.check(now_ns, state, command, height_map)
        if verdict.mode in (Mode.DAMP, Mode.STAND) or state is None:  # no state is always DAMP
            self._active = None
            self._last_action = np.zeros(self.spec.action.size, dtype=np.float32)
            joints = self._targets.stand() if verdict.mode is Mode.STAND else self._targets.damping(self._damping_kd)
            return ControlStep(joints, verdict)
        branch = self._branches[verdict.mode]
        if self._active is not verdict.mode:
            branch.builder.reset()
            self._last_action = np.zeros(self.spec.action.size, dtype=np.float32)
            self._active = verdict.mode
        policy_command = np.clip(verdict.command, branch.low, branch.high)
        values = height_map.values if verdict.mode is Mode.POLICY and height_map is not None else None
        observation = branch.builder.build(state, policy_command, self._last_action, values)
        if not np.isfinite(observation).all():
            return self._trip("observation has NaN/inf")
        action = branch.policy.act(observation)
        if not np.isfinite(action).all():
            return self._trip("policy action has NaN/inf")
        clipped = self._targets.clip_action(action)
        self._last_action = clipped
        return ControlStep(self._targets.policy(clipped), verdict, observation, clipped)

    def _trip(self, reason: str) -> ControlStep:
        self._active = None
        self._last_action = np.zeros(self.spec.action.size, dtype=np.float32)
        return ControlStep(self._targets.damping(self._damping_kd), self.supervisor.trip(reason))
