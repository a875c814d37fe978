"""Export a policy to two ONNX graphs (per-frame encoder, fusion head), checked against torch.

The encoder maps one frame to its embedding, so the runtime can cache embeddings by frame stamp
and encode only new frames; the head maps the cached context plus the goal to waypoints.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

from anynav import __version__
from anynav.policy.card import (
    CONFIGS,
    ENCODER_FILE,
    ENCODER_INPUT,
    ENCODER_OUTPUT,
    HEAD_FILE,
    RANDOM_INIT,
    ModelCard,
    PolicyConfig,
    write_card,
)
from anynav.policy.checkpoint import load_strict, read_state_dict, sha256_of
from anynav.policy.citywalker import processor as citywalker_processor
from anynav.policy.citywalker.model import CityWalker
from anynav.policy.errors import ExportError, PolicyConfigError
from anynav.policy.logonav import processor as logonav_processor
from anynav.policy.logonav.config import LogoNavConfig
from anynav.policy.logonav.model import LogoNav
from anynav.policy.runtime import preprocess_frame
from anynav.policy.types import Goal

DEFAULT_OPSET = 17
# scaled_dot_product_attention exports from opset 14; torch's TorchScript exporter stops at 20.
MIN_OPSET, MAX_OPSET = 14, 20
DEFAULT_TOLERANCE = 1e-4
STEPS = 6


@dataclass(frozen=True)
class ExportResult:
    """Where an export went and what its card says (including the measured differences)."""

    directory: Path
    card: ModelCard


def build_model(model: str, config: PolicyConfig | None = None) -> LogoNav | CityWalker:
    """A policy network in eval mode with its default (released) configuration unless one is given."""
    if model not in CONFIGS:
        raise PolicyConfigError(f"model={model!r}: expected one of {', '.join(CONFIGS)}")
    config = config or CONFIGS[model]()
    if not isinstance(config, CONFIGS[model]):
        raise PolicyConfigError(f"config: expected {CONFIGS[model].__name__} for {model}, got {type(config).__name__}")
    net = LogoNav(config) if isinstance(config, LogoNavConfig) else CityWalker(config)
    return net.eval()


class _Graph(nn.Module):
    """One method of a policy network as a module's forward, which is what the exporter traces."""

    def __init__(self, net: nn.Module, method: str, **constants: torch.Tensor) -> None:
        super().__init__()
        self.net = net
        self.method = method
        self.constant_names = tuple(constants)
        for name, value in constants.items():
            self.register_buffer(name, value)
        # The exporter restores the wrapper's train/eval mode onto every child after tracing.
        self.eval()

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        fixed = {name: getattr(self, name) for name in self.constant_names}
        return getattr(self.net, self.method)(*inputs, **fixed)


def random_model(model: str, config: PolicyConfig | None = None, seed: int = 0) -> LogoNav | CityWalker:
    """A network with seeded random weights that keep activations O(1), for tests and timing.

    With random weights and the default BatchNorm statistics (mean 0, var 1), EfficientNet's
    activations shrink block by block to ~1e-13, and an export would compare zeros with zeros.
    Every BatchNorm's statistics are therefore taken from a batch of camera-like frames.
    """
    torch.manual_seed(seed)
    net = build_model(model, config)
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.momentum = None  # cumulative average over the batch
        norm.train()
    if norms:
        with torch.no_grad():
            net.encode(_sample_frames(net.config, 8, np.random.default_rng(seed)))
    return net.eval()


@dataclass(frozen=True)
class _GraphSpec:
    """A graph to export: the traced module, sample inputs, I/O names, and torch's outputs on them."""

    module: nn.Module
    inputs: tuple[torch.Tensor, ...]
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    expected: tuple[np.ndarray, ...]


def camera_like_image(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A uint8 RGB frame of smooth random stripes plus noise: structure at many scales, like a camera's."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    channels = [np.sin(xs / rng.uniform(5, 40) + ys / rng.uniform(5, 80) + rng.uniform(0, 2 * np.pi)) for _ in range(3)]
    image = 127.0 + 90.0 * np.stack(channels, axis=-1) + rng.normal(0.0, 20.0, size=(height, width, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def _sample_frames(config: PolicyConfig, count: int, rng: np.random.Generator) -> torch.Tensor:
    """Random camera frames run through the model's own processor, as the runtime will feed them."""
    height, width = (480, 640) if isinstance(config, LogoNavConfig) else (config.cover_height + 20, config.cover_width)
    frames = [preprocess_frame(camera_like_image(height, width, rng), config, f"sample {i}") for i in range(count)]
    return torch.from_numpy(np.stack(frames))


def _sample_goal(config: PolicyConfig, rng: np.random.Generator) -> torch.Tensor:
    """A random goal (LogoNav) or random past positions + target (CityWalker) in model units."""
    if isinstance(config, LogoNavConfig):
        x, y = rng.uniform(-15.0, 15.0, size=2)
        goal = Goal(float(x), float(y), float(rng.uniform(-np.pi, np.pi)))
        return torch.from_numpy(logonav_processor.goal_to_model(goal, config)).unsqueeze(0)
    positions = np.cumsum(rng.normal(0.0, 1.0, size=(config.context_frames + 1, 2)), axis=0)
    positions -= positions[config.context_frames - 1]  # the current position is the origin
    coords = citywalker_processor.base_link_to_model(positions, config.step_scale_m)
    return torch.from_numpy(coords.astype(np.float32)).unsqueeze(0)


def _graph_specs(net: LogoNav | CityWalker, rng: np.random.Generator) -> tuple[_GraphSpec, _GraphSpec]:
    config = net.config
    frames = _sample_frames(config, config.context_frames, rng)
    head_names: tuple[tuple[str, ...], tuple[str, ...]]
    if isinstance(net, CityWalker):
        grid = (net.config.image_height // net.config.patch_size, net.config.image_width // net.config.patch_size)
        with torch.no_grad():
            pos_embed = net.obs_encoder.pos_embed_for(*grid).detach().clone()
        encoder = _Graph(net, "encode", pos_embed=pos_embed)
        head_names = citywalker_processor.HEAD_INPUTS, citywalker_processor.HEAD_OUTPUTS
    else:
        encoder = _Graph(net, "encode")
        head_names = logonav_processor.HEAD_INPUTS, logonav_processor.HEAD_OUTPUTS
    head = _Graph(net, "head")
    with torch.no_grad():
        embeddings = net.encode(frames)  # eager path: also checks the precomputed position table
        head_inputs = (embeddings.unsqueeze(0), _sample_goal(config, rng))
        head_outputs = head(*head_inputs)
    head_outputs = head_outputs if isinstance(head_outputs, tuple) else (head_outputs,)
    return (
        _GraphSpec(encoder, (frames,), (ENCODER_INPUT,), (ENCODER_OUTPUT,), (embeddings.numpy(),)),
        _GraphSpec(head, head_inputs, *head_names, tuple(y.numpy() for y in head_outputs)),
    )


@contextlib.contextmanager
def _exportable_attention() -> Iterator[None]:
    """Keep nn.TransformerEncoder off its fused fast path, which has no ONNX equivalent."""
    previous = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(previous)


def _export_graph(spec: _GraphSpec, path: Path, opset: int) -> None:
    dynamic = {name: {0: "batch"} for name in (*spec.input_names, *spec.output_names)}
    with _exportable_attention(), warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter is deprecated in favour of the dynamo one, which needs
        # onnxscript; it still traces these fixed-shape networks exactly.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message="Constant folding", category=UserWarning)
        torch.onnx.export(
            spec.module,
            spec.inputs,
            str(path),
            dynamo=False,
            opset_version=opset,
            input_names=list(spec.input_names),
            output_names=list(spec.output_names),
            dynamic_axes=dynamic,
            do_constant_folding=True,
        )
    onnx.checker.check_model(str(path))


def _card_entry(spec: _GraphSpec, file: str) -> dict[str, object]:
    """The card's description of a graph: file, input and output shapes with a free batch (-1)."""

    def free_batch(array: torch.Tensor | np.ndarray) -> list[int]:
        return [-1, *(int(n) for n in array.shape[1:])]

    return {
        "file": file,
        "inputs": {name: free_batch(x) for name, x in zip(spec.input_names, spec.inputs)},
        "outputs": {name: free_batch(y) for name, y in zip(spec.output_names, spec.expected)},
    }


def _compare(
    spec: _GraphSpec, session: ort.InferenceSession, inputs: Sequence[np.ndarray]
) -> tuple[float, list[np.ndarray]]:
    """Largest |onnxruntime on `inputs` - torch on the sample inputs|, and onnxruntime's outputs.

    Feeding the head onnxruntime's own embeddings, while torch's outputs came from torch's,
    measures the whole encoder -> head chain.
    """
    got = session.run(list(spec.output_names), dict(zip(spec.input_names, inputs)))
    return max(float(np.max(np.abs(g - e))) for g, e in zip(got, spec.expected)), got


def _check_opset(opset: int) -> None:
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= MAX_OPSET:
        raise PolicyConfigError(f"opset={opset!r}: expected an integer in [{MIN_OPSET}, {MAX_OPSET}]")


def export_network(
    net: LogoNav | CityWalker,
    out_dir: str | Path,
    *,
    checkpoint: Path | None,
    opset: int = DEFAULT_OPSET,
    tolerance: float = DEFAULT_TOLERANCE,
    seed: int = 0,
    progress: Callable[[str], None] = print,
) -> ExportResult:
    """Export a network whose weights are set: graphs, the torch comparison, the card.

    `checkpoint` is the file the weights came from (hashed into the card), None for random ones.
    """
    model = "logonav" if isinstance(net, LogoNav) else "citywalker"
    _check_opset(opset)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    net.eval()
    encoder, head = _graph_specs(net, np.random.default_rng(seed))
    encoder_path, head_path = out / ENCODER_FILE, out / HEAD_FILE
    progress(f"[3/{STEPS}] exporting encoder -> {encoder_path}")
    _export_graph(encoder, encoder_path, opset)
    progress(f"[4/{STEPS}] exporting head -> {head_path}")
    _export_graph(head, head_path, opset)

    progress(f"[5/{STEPS}] checking onnxruntime against torch")
    cpu = ["CPUExecutionProvider"]
    encoder_diff, (embeddings,) = _compare(
        encoder, ort.InferenceSession(str(encoder_path), providers=cpu), (encoder.inputs[0].numpy(),)
    )
    head_session = ort.InferenceSession(str(head_path), providers=cpu)  # loaded once for both head checks
    head_inputs = tuple(x.numpy() for x in head.inputs)
    head_diff, _ = _compare(head, head_session, head_inputs)
    chain_diff, _ = _compare(head, head_session, (embeddings[np.newaxis], *head_inputs[1:]))
    diffs = {"encoder": encoder_diff, "head": head_diff, "end_to_end": chain_diff}
    for name, diff in diffs.items():
        progress(f"        {name:<10} max |onnxruntime - torch| = {diff:.2e}")
    failed = [f"{name} {diff:.3e}" for name, diff in diffs.items() if not diff <= tolerance]  # NaN fails too
    if failed:
        raise ExportError(f"{model}: onnxruntime differs from torch beyond {tolerance:.1e}: {', '.join(failed)}")

    card = ModelCard(
        model=model,
        config=net.config,
        source_checkpoint=checkpoint.name if checkpoint is not None else None,
        source_sha256=sha256_of(checkpoint) if checkpoint is not None else RANDOM_INIT,
        opset=opset,
        max_abs_diff=diffs,
        tolerance=tolerance,
        graphs={"encoder": _card_entry(encoder, ENCODER_FILE), "head": _card_entry(head, HEAD_FILE)},
        versions={
            "anynav": __version__,
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": ort.__version__,
        },
    )
    card_path = write_card(card, out)
    progress(f"[6/{STEPS}] wrote {card_path} (source sha256 {card.source_sha256})")
    return ExportResult(out, card)


def export_policy(
    model: str,
    out_dir: str | Path,
    checkpoint: str | Path | None = None,
    *,
    config: PolicyConfig | None = None,
    opset: int = DEFAULT_OPSET,
    tolerance: float = DEFAULT_TOLERANCE,
    seed: int = 0,
    progress: Callable[[str], None] = print,
) -> ExportResult:
    """Export `model` ("logonav" | "citywalker") from `checkpoint` (None: seeded random weights).

    Writes encoder.onnx, head.onnx and model_card.json into `out_dir`. Raises StateDictMismatchError
    when the checkpoint does not fit the model exactly, and ExportError when onnxruntime and torch
    differ by more than `tolerance` on random inputs, for the encoder, the head, or the chain.
    """
    _check_opset(opset)
    progress(f"[1/{STEPS}] building {model}")
    if checkpoint is not None:
        net = build_model(model, config)
        checkpoint = Path(checkpoint)
        progress(f"[2/{STEPS}] loading {checkpoint} (weights only, strict)")
        load_strict(net, read_state_dict(checkpoint), type(net).__name__)
    else:
        progress(f"[2/{STEPS}] no checkpoint: random weights (seed {seed})")
        net = random_model(model, config, seed)
    return export_network(
        net, out_dir, checkpoint=checkpoint, opset=opset, tolerance=tolerance, seed=seed, progress=progress
    )
