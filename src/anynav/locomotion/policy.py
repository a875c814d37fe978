"""Runs a locomotion policy exported to ONNX, after checking its signature against the spec."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from anynav.locomotion.errors import PolicyLoadError, SpecError, StateError
from anynav.locomotion.spec import LocomotionSpec


def _feature_size(shape: Sequence[object], what: str, path: Path) -> tuple[int, int]:
    """(rank, last dimension) of a [N] or [batch, N] signature; the last dimension must be fixed."""
    if len(shape) not in (1, 2) or not isinstance(shape[-1], int):
        raise PolicyLoadError(f"{path}: {what} shape {list(shape)} is not [N] or [batch, N] with a fixed N")
    return len(shape), shape[-1]


class OnnxPolicy:
    """One observation in, one action out, on onnxruntime.

    The model's input width must equal the spec's observation size and its output width the
    action size; otherwise loading fails with a SpecError naming the field, the file and both
    numbers. One intra-op thread by default: a 512-256-128 MLP gains nothing from more and the
    loop's latency gets steadier.
    """

    def __init__(
        self,
        model_path: str | Path,
        spec: LocomotionSpec,
        providers: Sequence[str] = ("CPUExecutionProvider",),
        threads: int = 1,
    ) -> None:
        self.spec = spec
        self.path = Path(model_path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            self._session = ort.InferenceSession(str(self.path), options, providers=list(providers))
        except Exception as exc:  # onnxruntime raises its own untyped exceptions on any load failure
            raise PolicyLoadError(f"{self.path}: cannot load ONNX model: {exc}") from exc
        inputs, outputs = self._session.get_inputs(), self._session.get_outputs()
        if len(inputs) != 1 or len(outputs) < 1:
            raise PolicyLoadError(f"{self.path}: expected one input and an action output, got {len(inputs)} inputs")
        if inputs[0].type != "tensor(float)":
            raise PolicyLoadError(f"{self.path}: input {inputs[0].name!r} is {inputs[0].type}, expected tensor(float)")
        rank, width = _feature_size(inputs[0].shape, f"input {inputs[0].name!r}", self.path)
        if width != spec.observation_size:
            raise SpecError(
                "observation.size",
                f"{spec.observation_size} but model {self.path} input {inputs[0].name!r} takes {width}",
                spec.source,
            )
        _, actions = _feature_size(outputs[0].shape, f"output {outputs[0].name!r}", self.path)
        if actions != spec.action.size:
            raise SpecError(
                "action.size",
                f"{spec.action.size} but model {self.path} output {outputs[0].name!r} gives {actions}",
                spec.source,
            )
        self._input = inputs[0].name
        self._output = outputs[0].name
        self._input_shape = (1, width) if rank == 2 else (width,)

    def act(self, observation: np.ndarray) -> np.ndarray:
        """The raw network output (float32, action size) for one observation."""
        if observation.shape != (self.spec.observation_size,):
            raise StateError(f"observation: expected shape ({self.spec.observation_size},), got {observation.shape}")
        feed = observation.astype(np.float32, copy=False).reshape(self._input_shape)
        return self._session.run([self._output], {self._input: feed})[0].reshape(-1)
