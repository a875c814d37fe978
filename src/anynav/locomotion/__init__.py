"""Learned locomotion on board: policy spec, observation builder, ONNX runner, PD targets, safety, velocity mode."""

from anynav.locomotion.controller import ControlStep, LocomotionController
from anynav.locomotion.errors import (
    ControllerConfigError,
    LocomotionError,
    PolicyLoadError,
    SpecError,
    StateError,
)
from anynav.locomotion.observation import ObservationBuilder
from anynav.locomotion.policy import OnnxPolicy
from anynav.locomotion.safety import Mode, SafetyConfig, SafetySupervisor, Verdict
from anynav.locomotion.spec import LocomotionSpec, load_spec, spec_from_dict
from anynav.locomotion.state import HeightMapSample, RobotState, VelocityCommand
from anynav.locomotion.targets import JointCommand, TargetMapper
from anynav.locomotion.velocity import ShapedVelocity, VelocityLimits, VelocityShaper

__all__ = [
    "ControlStep",
    "ControllerConfigError",
    "HeightMapSample",
    "JointCommand",
    "LocomotionController",
    "LocomotionError",
    "LocomotionSpec",
    "Mode",
    "ObservationBuilder",
    "OnnxPolicy",
    "PolicyLoadError",
    "RobotState",
    "SafetyConfig",
    "SafetySupervisor",
    "ShapedVelocity",
    "SpecError",
    "StateError",
    "TargetMapper",
    "VelocityCommand",
    "VelocityLimits",
    "VelocityShaper",
    "Verdict",
    "load_spec",
    "spec_from_dict",
]
