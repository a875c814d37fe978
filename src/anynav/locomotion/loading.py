"""Finding a policy spec by name or path, and loading its ONNX model (or, on explicit request, random weights)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from anynav.locomotion.errors import ControllerConfigError, PolicyLoadError
from anynav.locomotion.mlp_onnx import write_mlp_onnx
from anynav.locomotion.policy import OnnxPolicy
from anynav.locomotion.spec import LocomotionSpec, load_spec

#: ``random:<seed>`` asks for a random-weight MLP of the spec's sizes: a dry run, never a robot
RANDOM_PREFIX = "random:"
#: rsl_rl actor of legged-loco (navila.md §4): obs → 512 → 256 → 128 (ELU) → actions
ACTOR_HIDDEN = (512, 256, 128)


def find_spec(value: str, parameter: str, config_dirs: Sequence[Path]) -> LocomotionSpec:
    """The spec at path `value` (``*.yaml``), or ``locomotion/<value>.yaml`` in the first config dir holding it."""
    if not value:
        raise ControllerConfigError(f"parameter {parameter} is empty: give a spec name (go2_vision) or a YAML path")
    if value.endswith((".yaml", ".yml")) or "/" in value:
        path = Path(value).expanduser()
        if not path.is_file():
            raise ControllerConfigError(f"parameter {parameter}={value!r}: no such file")
        return load_spec(path)
    for directory in config_dirs:
        path = directory / "locomotion" / f"{value}.yaml"
        if path.is_file():
            return load_spec(path)
    known = sorted({p.stem for d in config_dirs for p in (d / "locomotion").glob("*.yaml")})
    raise ControllerConfigError(
        f"parameter {parameter}={value!r}: no spec of that name; known specs: {', '.join(known) or 'none'}"
    )


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy ready to run, and whether its weights are random (a dry run the robot must never walk with)."""

    policy: OnnxPolicy
    random_seed: int | None = None

    @property
    def description(self) -> str:
        if self.random_seed is not None:
            return f"RANDOM WEIGHTS (seed {self.random_seed})"
        return str(self.policy.path)


def load_policy(value: str, parameter: str, spec: LocomotionSpec, threads: int = 1) -> LoadedPolicy:
    """Load the ONNX file `value` for `spec`, or write and load a random MLP of the spec's sizes for ``random:<seed>``.

    A size mismatch between the model and the spec is a SpecError naming ``observation.size``
    or ``action.size`` (raised by OnnxPolicy).
    """
    if not value:
        raise ControllerConfigError(
            f"parameter {parameter} is empty: give the ONNX export of the policy (see README: NaVILA policy.jit → "
            f"ONNX), or {RANDOM_PREFIX}<seed> for a dry run with random weights"
        )
    if value.startswith(RANDOM_PREFIX):
        text = value[len(RANDOM_PREFIX) :]
        if not text.isdigit():
            raise ControllerConfigError(
                f"parameter {parameter}={value!r}: expected {RANDOM_PREFIX}<non-negative integer>"
            )
        seed = int(text)
        with tempfile.TemporaryDirectory(prefix="anynav-random-policy-") as directory:
            path = Path(directory) / f"random_{spec.robot}_{seed}.onnx"
            write_mlp_onnx(path, (spec.observation_size, *ACTOR_HIDDEN, spec.action.size), seed=seed)
            return LoadedPolicy(OnnxPolicy(path, spec, threads=threads), random_seed=seed)
    path = Path(value).expanduser()
    if not path.is_file():
        raise PolicyLoadError(f"parameter {parameter}={value!r}: no such file")
    return LoadedPolicy(OnnxPolicy(path, spec, threads=threads))
