"""Shared locomotion fixtures: the shipped specs and tiny ONNX policies of the right shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from locomotion_helpers import CONFIG_DIR

from anynav.locomotion.mlp_onnx import write_mlp_onnx
from anynav.locomotion.policy import OnnxPolicy
from anynav.locomotion.spec import LocomotionSpec, load_spec


@pytest.fixture(scope="session")
def go2_spec() -> LocomotionSpec:
    return load_spec(CONFIG_DIR / "go2_vision.yaml")


@pytest.fixture(scope="session")
def go2_blind_spec() -> LocomotionSpec:
    return load_spec(CONFIG_DIR / "go2_blind.yaml")


@pytest.fixture(scope="session")
def h1_spec() -> LocomotionSpec:
    return load_spec(CONFIG_DIR / "h1_vision.yaml")


@pytest.fixture
def tiny_policy(tmp_path: Path) -> Callable[..., tuple[OnnxPolicy, list]]:
    """Write an obs → 16 → actions ELU MLP for `spec` and load it; returns (policy, weights)."""

    def make(spec: LocomotionSpec, seed: int = 0, name: str = "policy.onnx") -> tuple[OnnxPolicy, list]:
        path = tmp_path / name
        weights = write_mlp_onnx(path, (spec.observation_size, 16, spec.action.size), seed=seed)
        return OnnxPolicy(path, spec), weights

    return make
