"""Checkpoint reading is weights-only (no foreign code runs) and loading is strict with a full mismatch list."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import torch
from policy_helpers import SMALL_CITYWALKER, SMALL_LOGONAV, save_lightning_checkpoint

from anynav.policy.checkpoint import load_strict, read_state_dict
from anynav.policy.errors import CheckpointError, StateDictMismatchError
from anynav.policy.export import build_model, random_model


def test_lightning_checkpoint_loads_weights_only_without_its_config_class(tmp_path: Path) -> None:
    net = random_model("citywalker", SMALL_CITYWALKER, seed=3)
    path = tmp_path / "walker.ckpt"
    save_lightning_checkpoint(net, path)
    with pytest.raises(pickle.UnpicklingError):  # what a plain weights-only load does with this file
        torch.load(path, weights_only=True)

    state = read_state_dict(path)

    assert set(state) == set(net.state_dict())  # `model.` stripped, optimiser and hparams ignored
    fresh = build_model("citywalker", SMALL_CITYWALKER)
    load_strict(fresh, state, "CityWalker")
    for key, value in net.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key


def test_plain_state_dict_round_trip(tmp_path: Path) -> None:
    net = random_model("logonav", SMALL_LOGONAV, seed=4)
    path = tmp_path / "logonav.pth"
    torch.save(net.state_dict(), path)
    fresh = build_model("logonav", SMALL_LOGONAV)
    load_strict(fresh, read_state_dict(path), "LogoNav")
    x = torch.randn(1, SMALL_LOGONAV.context_frames, 3, 96, 96)
    goal = torch.tensor([[8.0, -4.0, 1.0, 0.0]])
    with torch.no_grad():
        assert torch.equal(fresh(x, goal), net(x, goal))


class _Payload:
    """An object whose unpickling would run a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_code_in_a_checkpoint_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.ckpt"
    torch.save({"state_dict": {"w": torch.ones(2)}, "hyper_parameters": _Payload(marker)}, path)

    with pytest.raises(CheckpointError, match="cannot be loaded as weights only"):
        read_state_dict(path)

    assert not marker.exists()


def test_strict_load_lists_every_missing_unexpected_and_misshapen_key() -> None:
    net = build_model("citywalker", SMALL_CITYWALKER)
    state = dict(net.state_dict())
    del state["wp_predictor.bias"]
    del state["obs_encoder.blocks.1.ls2.gamma"]
    state["obs_encoder.head.weight"] = torch.zeros(3)
    state["compress_goal_enc.weight"] = torch.zeros(64, 150)

    with pytest.raises(StateDictMismatchError) as caught:
        load_strict(net, state, "CityWalker")

    error = caught.value
    assert error.missing == ["obs_encoder.blocks.1.ls2.gamma", "wp_predictor.bias"]
    assert error.unexpected == ["obs_encoder.head.weight"]
    assert error.misshapen == [("compress_goal_enc.weight", (64, 156), (64, 150))]
    for name in ("obs_encoder.blocks.1.ls2.gamma", "wp_predictor.bias", "obs_encoder.head.weight", "[64, 150]"):
        assert name in str(error)


def test_a_checkpoint_of_the_other_model_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "logonav.pth"
    torch.save(random_model("logonav", SMALL_LOGONAV, seed=5).state_dict(), path)
    with pytest.raises(StateDictMismatchError, match="missing keys"):
        load_strict(build_model("citywalker", SMALL_CITYWALKER), read_state_dict(path), "CityWalker")


def test_unreadable_files_raise_checkpoint_error(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        read_state_dict(tmp_path / "absent.pth")
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a zip file at all")
    with pytest.raises(CheckpointError, match="not a torch checkpoint"):
        read_state_dict(garbage)
    listing = tmp_path / "list.pth"
    torch.save([torch.ones(1)], listing)
    with pytest.raises(CheckpointError, match="no state_dict"):
        read_state_dict(listing)
