"""Writes an ELU MLP as an ONNX graph (rsl_rl actor shape): a stand-in policy for tests, benchmarks and dry runs.

It has the exact signature of an exported legged-loco actor (input ``obs`` [1, N], output
``actions`` [1, M]), so every piece of the controller can be exercised without a trained
checkpoint. Weights are random: never drive a real robot with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # readable by onnxruntime >= 1.10, as found on older robot computers


def mlp_forward(weights: Sequence[tuple[np.ndarray, np.ndarray]], observation: np.ndarray) -> np.ndarray:
    """The same network in numpy (ELU between layers, none after the last): the reference for tests."""
    x = observation.astype(np.float64)
    for i, (w, b) in enumerate(weights):
        x = x @ w.T.astype(np.float64) + b
        if i < len(weights) - 1:
            x = np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))
    return x


def write_mlp_onnx(path: str | Path, sizes: Sequence[int], seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Write an MLP with layer widths `sizes` (input first, actions last) to `path`; return its weights.

    Weights are drawn with a fan-in scale so activations stay O(1) whatever the width.
    """
    if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
        raise ValueError(f"sizes={list(sizes)}: need at least an input and an output width, all >= 1")
    rng = np.random.default_rng(seed)
    weights, initializers, nodes = [], [], []
    current = "obs"
    for i, (fan_in, fan_out) in enumerate(pairwise(sizes)):
        w = (rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)).astype(np.float32)
        b = (0.1 * rng.standard_normal(fan_out)).astype(np.float32)
        weights.append((w, b))
        initializers += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        last = i == len(sizes) - 2
        gemm_out = "actions" if last else f"gemm{i}"
        nodes.append(helper.make_node("Gemm", [current, f"w{i}", f"b{i}"], [gemm_out], transB=1))
        if not last:
            nodes.append(helper.make_node("Elu", [gemm_out], [f"elu{i}"], alpha=1.0))
            current = f"elu{i}"
    graph = helper.make_graph(
        nodes,
        "mlp_policy",
        [helper.make_tensor_value_info("obs", TensorProto.FLOAT, [1, int(sizes[0])])],
        [helper.make_tensor_value_info("actions", TensorProto.FLOAT, [1, int(sizes[-1])])],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="anynav")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return weights
