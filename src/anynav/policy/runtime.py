"""Runs an exported policy on onnxruntime: per-frame embeddings cached by stamp, waypoints in base_link.

ROS-free: the policy node converts messages to `Frame`s and a `Goal`, calls `PolicyRuntime.plan`
once per tick, and publishes the returned `Plan`.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from anynav.policy.card import ENCODER_INPUT, ENCODER_OUTPUT, ModelCard, PolicyConfig, load_card
from anynav.policy.citywalker import processor as citywalker_processor
from anynav.policy.citywalker.config import CityWalkerConfig
from anynav.policy.errors import ModelCardError, PolicyConfigError, PolicyInputError
from anynav.policy.logonav import processor as logonav_processor
from anynav.policy.logonav.config import LogoNavConfig
from anynav.policy.types import Frame, Goal, Plan

# Fastest first; onnxruntime falls back along the list for nodes a provider cannot run.
PROVIDER_PREFERENCE = ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")


def choose_providers(available: Sequence[str], requested: Sequence[str] | None = None) -> list[str]:
    """The execution providers to use: `requested` if all are available, else TensorRT, CUDA, CPU as present."""
    if requested:
        unknown = [name for name in requested if name not in available]
        if unknown:
            raise PolicyConfigError(
                f"providers: {', '.join(unknown)} not available in this onnxruntime; available: {', '.join(available)}"
            )
        return list(requested)
    chosen = [name for name in PROVIDER_PREFERENCE if name in available]
    if not chosen:
        raise PolicyConfigError(f"providers: none of {', '.join(PROVIDER_PREFERENCE)} in {', '.join(available)}")
    return chosen


def preprocess_frame(image: np.ndarray, config: PolicyConfig, where: str = "frame") -> np.ndarray:
    """An H x W x 3 uint8 RGB frame as the encoder of `config`'s model takes it."""
    if isinstance(config, LogoNavConfig):
        return logonav_processor.preprocess_frame(image, config, where)
    return citywalker_processor.preprocess_frame(image, config, where)


class EmbeddingCache:
    """Frame embeddings keyed by header stamp, dropping the least recently used beyond `capacity`."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise PolicyConfigError(f"cache_frames={capacity}: expected >= 0 (0 disables the cache)")
        self.capacity = capacity
        self._entries: OrderedDict[int, np.ndarray] = OrderedDict()

    def get(self, stamp_ns: int) -> np.ndarray | None:
        embedding = self._entries.get(stamp_ns)
        if embedding is not None:
            self._entries.move_to_end(stamp_ns)
        return embedding

    def put(self, stamp_ns: int, embedding: np.ndarray) -> None:
        if self.capacity == 0:
            return
        self._entries[stamp_ns] = embedding
        self._entries.move_to_end(stamp_ns)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class RuntimeStats:
    """Counters since start (or `reset`): how much encoding the cache saved."""

    ticks: int = 0
    encoder_runs: int = 0
    frames_encoded: int = 0
    cache_hits: int = 0


def _session_options(threads: int | None) -> ort.SessionOptions:
    options = ort.SessionOptions()
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 256:
            raise PolicyConfigError(f"threads={threads!r}: expected an integer in [1, 256] or None")
        options.intra_op_num_threads = threads
    # Between ticks (3-5 Hz) worker threads sleep rather than spin: other nodes share the cores,
    # and waking them cost no measurable latency (benchmarks/policy_benchmark.py).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def _with_options(providers: list[str], trt_cache_dir: str | Path | None) -> list[str | tuple[str, dict[str, str]]]:
    """Providers as onnxruntime takes them; TensorRT gets an engine cache when a folder is given."""
    if trt_cache_dir is None:
        return list(providers)
    options = {"trt_engine_cache_enable": "True", "trt_engine_cache_path": str(trt_cache_dir)}
    return [(name, options) if name == "TensorrtExecutionProvider" else name for name in providers]


class PolicyRuntime:
    """An exported LogoNav or CityWalker: encoder + head graphs, a model card, an embedding cache.

    Args:
        model_dir: folder written by `anynav export` (model_card.json, encoder.onnx, head.onnx).
        providers: onnxruntime execution providers; default TensorRT, CUDA, CPU, those present.
        output_scale_m: metres per model unit. LogoNav: of the output waypoints (card default
            0.125, the training labels' scale; the released controller used 0.1). CityWalker: the
            step scale, applied to the positions and target going in and the waypoints coming out
            (about the robot's distance per second). None keeps the card's value.
        cache_frames: embeddings kept (least recently used dropped); default 4 x context_frames;
            0 disables the cache, so every tick encodes every frame.
        threads: onnxruntime intra-op threads; None lets onnxruntime decide.
        trt_cache_dir: where TensorRT keeps built engines (building one takes minutes); None: no cache.
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        providers: Sequence[str] | None = None,
        output_scale_m: float | None = None,
        cache_frames: int | None = None,
        threads: int | None = None,
        trt_cache_dir: str | Path | None = None,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.card: ModelCard = load_card(self.model_dir)
        config = self.card.config
        if output_scale_m is not None and (
            isinstance(output_scale_m, bool) or not math.isfinite(output_scale_m) or not 1e-3 <= output_scale_m <= 100.0
        ):
            raise PolicyConfigError(f"output_scale_m={output_scale_m!r}: expected a number in [0.001, 100]")
        default_scale = config.output_m_per_unit if isinstance(config, LogoNavConfig) else config.step_scale_m
        self.output_scale_m = float(output_scale_m if output_scale_m is not None else default_scale)
        self.providers = choose_providers(ort.get_available_providers(), providers)
        self.cache = EmbeddingCache(4 * config.context_frames if cache_frames is None else cache_frames)
        self.stats = RuntimeStats()

        options = _session_options(threads)
        provider_list = _with_options(self.providers, trt_cache_dir)
        if isinstance(config, LogoNavConfig):
            self._head_inputs, self._head_outputs = logonav_processor.HEAD_INPUTS, logonav_processor.HEAD_OUTPUTS
        else:
            self._head_inputs, self._head_outputs = citywalker_processor.HEAD_INPUTS, citywalker_processor.HEAD_OUTPUTS
        self._encoder = self._open("encoder", options, provider_list, (ENCODER_INPUT,), (ENCODER_OUTPUT,))
        self._head = self._open("head", options, provider_list, self._head_inputs, self._head_outputs)

    def _open(
        self,
        role: str,
        options: ort.SessionOptions,
        providers: list[str | tuple[str, dict[str, str]]],
        inputs: Sequence[str],
        outputs: Sequence[str],
    ) -> ort.InferenceSession:
        """A session for the card's `role` graph, refusing a graph whose inputs/outputs differ."""
        path = self.model_dir / self.card.graphs[role]["file"]
        if not path.is_file():
            raise ModelCardError(f"{path}: graph named by {self.model_dir / 'model_card.json'} is missing")
        session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
        got_in = [i.name for i in session.get_inputs()]
        got_out = [o.name for o in session.get_outputs()]
        if got_in != list(inputs) or got_out != list(outputs):
            raise ModelCardError(
                f"{path}: graph has inputs {got_in} and outputs {got_out}; the card's model expects "
                f"{list(inputs)} -> {list(outputs)} (re-export with `anynav export`)"
            )
        return session

    @property
    def model(self) -> str:
        """Which policy: "logonav" or "citywalker"."""
        return self.card.model

    @property
    def config(self) -> PolicyConfig:
        return self.card.config

    @property
    def context_frames(self) -> int:
        """How many frames `plan` takes, oldest first."""
        return self.card.config.context_frames

    @property
    def context_spacing_s(self) -> float:
        """The time between context frames the model was trained on: sample frames by stamp at this step."""
        return self.card.config.context_spacing_s

    def reset(self) -> None:
        """Forget cached embeddings and counters (e.g. after the camera restarts and stamps jump)."""
        self.cache.clear()
        self.stats = RuntimeStats()

    def encode(self, frames: Sequence[Frame]) -> tuple[np.ndarray, int]:
        """[T, D] embeddings of `frames`; only frames whose stamp is not cached go through the encoder.

        Returns the embeddings and how many frames were encoded. All new frames share one run.
        """
        config = self.card.config
        embeddings: list[np.ndarray | None] = [self.cache.get(frame.stamp_ns) for frame in frames]
        todo = [index for index, embedding in enumerate(embeddings) if embedding is None]
        self.stats.cache_hits += len(frames) - len(todo)
        if todo:
            batch = np.stack([preprocess_frame(frames[index].image, config, f"frames[{index}]") for index in todo])
            (encoded,) = self._encoder.run([ENCODER_OUTPUT], {ENCODER_INPUT: batch})
            self.stats.encoder_runs += 1
            self.stats.frames_encoded += len(todo)
            for row, index in enumerate(todo):
                embeddings[index] = encoded[row]
                self.cache.put(frames[index].stamp_ns, encoded[row])
        return np.stack(embeddings), len(todo)  # type: ignore[arg-type]

    def plan(self, frames: Sequence[Frame], goal: Goal, positions: np.ndarray | None = None) -> Plan:
        """One policy tick.

        Args:
            frames: exactly `context_frames` frames, oldest first, stamps strictly increasing and
                `context_spacing_s` apart (the caller samples them by stamp).
            goal: the goal in base_link at the newest frame (x forward, y left, metres; yaw CCW).
            positions: CityWalker only: [T, 2] where the robot was at each frame's stamp, in
                base_link at the newest frame (metres, oldest first; the last row ~ (0, 0)); see
                `positions_in_current_frame`. LogoNav takes no positions and ignores them.

        Returns:
            the waypoints in base_link at the newest frame's stamp.
        """
        self._check_frames(frames)
        if not isinstance(goal, Goal):
            raise PolicyInputError(f"goal: expected anynav.policy.Goal, got {type(goal).__name__}")
        embeddings, encoded = self.encode(frames)
        config = self.card.config
        if isinstance(config, LogoNavConfig):
            feeds = {self._head_inputs[1]: logonav_processor.goal_to_model(goal, config)[np.newaxis]}
        else:
            feeds = {self._head_inputs[1]: self._citywalker_coords(config, goal, positions)}
        feeds[self._head_inputs[0]] = embeddings[np.newaxis].astype(np.float32, copy=False)
        outputs = self._head.run(list(self._head_outputs), feeds)
        self.stats.ticks += 1
        stamp = frames[-1].stamp_ns
        if isinstance(config, LogoNavConfig):
            xy, yaw = logonav_processor.waypoints_from_model(outputs[0][0], self.output_scale_m)
            return Plan(stamp, xy, yaw, None, config.waypoint_dt_s, encoded)
        xy = citywalker_processor.model_to_base_link(outputs[0][0], self.output_scale_m)
        arrival = 0.5 * (1.0 + math.tanh(0.5 * float(outputs[1][0, 0])))  # sigmoid, no overflow
        return Plan(stamp, xy, None, arrival, config.waypoint_dt_s, encoded)

    def _check_frames(self, frames: Sequence[Frame]) -> None:
        expected = self.context_frames
        if len(frames) != expected:
            raise PolicyInputError(
                f"frames: {self.model} takes exactly {expected} frames, oldest first, "
                f"{self.context_spacing_s:g} s apart; got {len(frames)}"
            )
        stamps = [frame.stamp_ns for frame in frames]
        for index, stamp in enumerate(stamps):
            if isinstance(stamp, bool) or not isinstance(stamp, (int, np.integer)):
                raise PolicyInputError(f"frames[{index}].stamp_ns={stamp!r}: expected an integer (nanoseconds)")
        for index in range(1, len(stamps)):
            if stamps[index] <= stamps[index - 1]:
                raise PolicyInputError(
                    f"frames[{index}].stamp_ns={stamps[index]} is not after frames[{index - 1}].stamp_ns="
                    f"{stamps[index - 1]}: frames must be oldest first with distinct stamps"
                )

    def _citywalker_coords(self, config: CityWalkerConfig, goal: Goal, positions: np.ndarray | None) -> np.ndarray:
        if positions is None:
            raise PolicyInputError("positions: CityWalker needs the robot's position at each frame's stamp ([T, 2])")
        positions = np.asarray(positions, dtype=np.float64)
        if positions.shape != (config.context_frames, 2) or not np.isfinite(positions).all():
            raise PolicyInputError(
                f"positions: expected a finite [{config.context_frames}, 2] array (x forward, y left, metres), "
                f"got shape {positions.shape}"
            )
        points = np.concatenate([positions, [[goal.x, goal.y]]])
        coords = citywalker_processor.base_link_to_model(points, self.output_scale_m)
        return coords[np.newaxis].astype(np.float32)
