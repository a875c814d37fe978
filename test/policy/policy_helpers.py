"""Small LogoNav and CityWalker configurations, a Lightning checkpoint writer and test frames the policy tests share."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from anynav.policy.citywalker.config import CityWalkerConfig
from anynav.policy.export import camera_like_image
from anynav.policy.logonav.config import LogoNavConfig

SMALL_LOGONAV = LogoNavConfig(encoding_size=64, num_heads=2, num_layers=2, mlp_sizes=(32, 16))
SMALL_CITYWALKER = CityWalkerConfig(
    image_height=56,
    image_width=98,
    cover_height=60,
    cover_width=100,
    vit_dim=64,
    vit_depth=2,
    vit_heads=4,
    vit_pos_grid=5,
    num_heads=4,
    num_layers=2,
)


class DictNamespace(argparse.Namespace):
    """Stands for the class CityWalker's train.py pickles into its checkpoints' hyper-parameters."""


@dataclass
class Exported:
    """A torch model and the export made from its saved weights."""

    net: nn.Module
    directory: Path
    checkpoint: Path


def save_lightning_checkpoint(net: nn.Module, path: Path) -> None:
    """Save as Lightning does: `model.`-prefixed state_dict, optimiser state, pickled hyper-parameters.

    The hyper-parameters hold an instance of a class pickled as `__main__.DictNamespace`, which
    does not exist when the file is read back, exactly like the released CityWalker checkpoint.
    """
    main = sys.modules["__main__"]
    DictNamespace.__module__ = "__main__"
    main.DictNamespace = DictNamespace  # type: ignore[attr-defined]
    try:
        cfg = DictNamespace(model=DictNamespace(type="citywalker_feat"), training=DictNamespace(lr=2e-4))
        torch.save(
            {
                "epoch": 9,
                "global_step": 15620,
                "pytorch-lightning_version": "2.4.0",
                "state_dict": {f"model.{key}": value for key, value in net.state_dict().items()},
                "optimizer_states": [{"state": {0: {"step": torch.tensor(3.0)}}, "param_groups": [{"lr": 2e-4}]}],
                "hyper_parameters": {"cfg": cfg},
            },
            path,
        )
    finally:
        delattr(main, "DictNamespace")
        DictNamespace.__module__ = __name__


def random_images(count: int, height: int, width: int, seed: int) -> list[np.ndarray]:
    """Camera-like uint8 RGB frames (smooth stripes plus noise), so resizing matters."""
    rng = np.random.default_rng(seed)
    return [camera_like_image(height, width, rng) for _ in range(count)]
