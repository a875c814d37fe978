"""Learned navigation policies (LogoNav, CityWalker): models, ONNX export, and the onnxruntime runtime.

Importing this package loads only the runtime side (numpy, OpenCV, onnxruntime); torch is needed
only by `anynav.policy.export` and the model modules.
"""

from __future__ import annotations

from anynav.policy.card import ModelCard, load_card
from anynav.policy.citywalker.processor import positions_in_current_frame
from anynav.policy.errors import (
    CheckpointError,
    ExportError,
    ModelCardError,
    PolicyConfigError,
    PolicyError,
    PolicyInputError,
    StateDictMismatchError,
)
from anynav.policy.runtime import PolicyRuntime, RuntimeStats, choose_providers
from anynav.policy.types import Frame, Goal, Plan

__all__ = [
    "CheckpointError",
    "ExportError",
    "Frame",
    "Goal",
    "ModelCard",
    "ModelCardError",
    "Plan",
    "PolicyConfigError",
    "PolicyError",
    "PolicyInputError",
    "PolicyRuntime",
    "RuntimeStats",
    "StateDictMismatchError",
    "choose_providers",
    "load_card",
    "positions_in_current_frame",
]
