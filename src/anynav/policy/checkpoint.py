"""Reading released checkpoints without running their pickled code, and strict state_dict loading."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from anynav.policy.errors import CheckpointError, StateDictMismatchError

# Prefixes trainers put in front of every key: Lightning's `self.model`, DDP's `module`.
WRAPPER_PREFIXES = ("model.", "module.")


class _Inert:
    """Stands in for a class a checkpoint pickled that is not weights (e.g. CityWalker's `DictNamespace`).

    It accepts any constructor arguments and state and does nothing with them, so the unpickler
    can step over the object without importing or running the original code.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __setstate__(self, state: object) -> None:
        pass


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so a 1.7 GB checkpoint never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_weights_only(path: Path) -> object:
    """torch.load(weights_only=True); classes the file names that are not weights become `_Inert`.

    A Lightning checkpoint pickles its hyper-parameters with the training script's own classes;
    mapping those (and only those) to an inert placeholder keeps the load weights-only.
    """
    try:
        foreign = torch.serialization.get_unsafe_globals_in_checkpoint(path)
    except (ValueError, RuntimeError, OSError) as exc:
        raise CheckpointError(f"{path}: not a torch checkpoint ({exc})") from exc
    try:
        with torch.serialization.safe_globals([(_Inert, name) for name in foreign]):
            return torch.load(path, map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:  # the unpickler raises many types; all mean "not loadable as weights"
        raise CheckpointError(f"{path}: cannot be loaded as weights only: {exc}") from exc


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """The model weights in a checkpoint: a plain state_dict or a Lightning checkpoint.

    A Lightning file keeps them under `state_dict`; a prefix that every key shares (`model.`,
    `module.`) is removed. Optimiser state and hyper-parameters are ignored.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    content = _load_weights_only(path)
    if isinstance(content, Mapping) and "state_dict" in content:
        content = content["state_dict"]
    if not isinstance(content, Mapping) or not content:
        raise CheckpointError(f"{path}: holds no state_dict (expected a mapping of names to tensors)")
    not_tensors = [str(key) for key, value in content.items() if not isinstance(value, torch.Tensor)]
    if not_tensors:
        raise CheckpointError(f"{path}: entries that are not tensors: {', '.join(not_tensors[:10])}")
    state = {str(key): value for key, value in content.items()}
    for prefix in WRAPPER_PREFIXES:
        if all(key.startswith(prefix) for key in state):
            state = {key[len(prefix) :]: value for key, value in state.items()}
    return state


def load_strict(model: nn.Module, state_dict: Mapping[str, torch.Tensor], name: str) -> None:
    """Copy weights into `model`, refusing any missing, unexpected or misshapen key (all listed)."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    misshapen = [
        (key, tuple(expected[key].shape), tuple(state_dict[key].shape))
        for key in sorted(set(expected) & set(state_dict))
        if expected[key].shape != state_dict[key].shape
    ]
    if missing or unexpected or misshapen:
        raise StateDictMismatchError(name, missing, unexpected, misshapen)
    model.load_state_dict(state_dict, strict=True)
