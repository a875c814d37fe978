"""The model card written beside exported graphs: what the runtime and a person need to run them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anynav.policy.citywalker.config import CityWalkerConfig
from anynav.policy.config import config_from_dict, config_to_dict
from anynav.policy.errors import ModelCardError, PolicyConfigError
from anynav.policy.logonav.config import LogoNavConfig

CARD_FILE = "model_card.json"
CARD_FORMAT = "anynav.policy.card/1"
ENCODER_FILE = "encoder.onnx"
HEAD_FILE = "head.onnx"
ENCODER_INPUT = "image"
ENCODER_OUTPUT = "embedding"
RANDOM_INIT = "random-init"

PolicyConfig = LogoNavConfig | CityWalkerConfig
CONFIGS: dict[str, type[LogoNavConfig | CityWalkerConfig]] = {
    "logonav": LogoNavConfig,
    "citywalker": CityWalkerConfig,
}

# How each model's numbers relate to REP-103 base_link; written for people reading the card.
FRAMES = {
    "logonav": {
        "goal": "base_link (x forward, y left, yaw CCW); x, y divided by goal_m_per_unit",
        "waypoints": "base_link (x forward, y left, cos/sin of yaw CCW); x, y times output_m_per_unit",
    },
    "citywalker": {
        "coords": "model frame (x right, y forward) = (-y_left, x_forward) / step_scale_m, "
        "past positions oldest first then the target, relative to the newest frame",
        "waypoints": "model frame (x right, y forward) in step units; base_link = (y, -x) * step_scale_m",
    },
}

_SHA256 = re.compile(r"[0-9a-f]{64}")
_KEYS = ("format", "model", "source", "export", "graphs", "frames", "config")


@dataclass(frozen=True)
class ModelCard:
    """Everything about an export except the weights.

    Attributes:
        model: "logonav" or "citywalker".
        config: the model's configuration: input sizes, context length and spacing, scales.
        source_checkpoint: file name of the checkpoint the weights came from (None for random init).
        source_sha256: SHA-256 of that file, or "random-init".
        opset: ONNX opset of both graphs.
        max_abs_diff: onnxruntime vs torch on random inputs, per check ("encoder", "head", "end_to_end").
        tolerance: the largest difference the export accepted.
        graphs: graph role ("encoder", "head") -> {"file", "inputs": {name: shape}, "outputs": {name: shape}};
            -1 marks a free (batch) dimension.
        versions: versions of the tools that wrote the export.
    """

    model: str
    config: PolicyConfig
    source_checkpoint: str | None
    source_sha256: str
    opset: int
    max_abs_diff: dict[str, float]
    tolerance: float
    graphs: dict[str, dict[str, Any]]
    versions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.model not in CONFIGS:
            raise ModelCardError(f"ModelCard.model={self.model!r}: expected one of {', '.join(CONFIGS)}")
        if not isinstance(self.config, CONFIGS[self.model]):
            raise ModelCardError(f"ModelCard.config: expected {CONFIGS[self.model].__name__} for {self.model}")
        if self.source_sha256 != RANDOM_INIT and not _SHA256.fullmatch(self.source_sha256):
            raise ModelCardError(
                f"ModelCard.source_sha256={self.source_sha256!r}: expected 64 hex digits or {RANDOM_INIT!r}"
            )
        if not isinstance(self.opset, int) or not 7 <= self.opset <= 30:
            raise ModelCardError(f"ModelCard.opset={self.opset!r}: expected an integer in [7, 30]")
        for role in ("encoder", "head"):
            graph = self.graphs.get(role)
            if not isinstance(graph, dict) or not {"file", "inputs", "outputs"} <= set(graph):
                raise ModelCardError(f"ModelCard.graphs.{role}: expected a mapping with file, inputs, outputs")

    def to_json(self) -> dict[str, Any]:
        """The card as written to model_card.json."""
        return {
            "format": CARD_FORMAT,
            "model": self.model,
            "source": {"checkpoint": self.source_checkpoint, "sha256": self.source_sha256},
            "export": {
                "opset": self.opset,
                "tolerance": self.tolerance,
                "max_abs_diff": self.max_abs_diff,
                "versions": self.versions,
            },
            "graphs": self.graphs,
            "frames": FRAMES[self.model],
            "config": config_to_dict(self.config),
        }


def write_card(card: ModelCard, directory: Path) -> Path:
    """Write model_card.json into `directory`; returns its path."""
    path = directory / CARD_FILE
    path.write_text(json.dumps(card.to_json(), indent=2) + "\n")
    return path


def _section(data: dict[str, Any], name: str, keys: tuple[str, ...], source: str) -> dict[str, Any]:
    value = data.get(name)
    if not isinstance(value, dict):
        raise ModelCardError(f"{source}: '{name}' must be a mapping")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise ModelCardError(f"{source}: unknown key(s) {', '.join(unknown)} in '{name}'; known: {', '.join(keys)}")
    missing = [key for key in keys if key not in value]
    if missing:
        raise ModelCardError(f"{source}: '{name}' lacks {', '.join(missing)}")
    return value


def load_card(directory: str | Path) -> ModelCard:
    """Read and validate `directory`/model_card.json; unknown keys are errors naming key and file."""
    path = Path(directory) / CARD_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelCardError(f"{path}: no model card (export the model with `anynav export`)") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelCardError(f"{path}: cannot read model card: {exc}") from exc
    source = str(path)
    if not isinstance(data, dict):
        raise ModelCardError(f"{source}: expected a JSON object")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ModelCardError(f"{source}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_KEYS)}")
    if data.get("format") != CARD_FORMAT:
        raise ModelCardError(f"{source}: format {data.get('format')!r} is not {CARD_FORMAT!r}")
    model = data.get("model")
    if model not in CONFIGS:
        raise ModelCardError(f"{source}: model {model!r} is not one of {', '.join(CONFIGS)}")
    src = _section(data, "source", ("checkpoint", "sha256"), source)
    export = _section(data, "export", ("opset", "tolerance", "max_abs_diff", "versions"), source)
    graphs = _section(data, "graphs", ("encoder", "head"), source)
    try:
        config = config_from_dict(CONFIGS[model], data.get("config"), f"{source}: config")
        return ModelCard(
            model=model,
            config=config,
            source_checkpoint=src["checkpoint"],
            source_sha256=src["sha256"],
            opset=export["opset"],
            max_abs_diff=export["max_abs_diff"],
            tolerance=export["tolerance"],
            graphs=graphs,
            versions=export["versions"],
        )
    except (PolicyConfigError, TypeError) as exc:
        raise ModelCardError(f"{source}: {exc}") from exc
