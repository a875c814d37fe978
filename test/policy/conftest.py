"""Small LogoNav and CityWalker models saved as checkpoints and exported once per session."""

from __future__ import annotations

import pytest
import torch
from policy_helpers import SMALL_CITYWALKER, SMALL_LOGONAV, Exported, save_lightning_checkpoint

from anynav.policy.export import export_policy, random_model


@pytest.fixture(scope="session")
def logonav_small(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """Small LogoNav saved as a plain state_dict (like logonav.pth) and exported from it."""
    root = tmp_path_factory.mktemp("logonav_small")
    net = random_model("logonav", SMALL_LOGONAV, seed=1)
    checkpoint = root / "logonav.pth"
    torch.save(net.state_dict(), checkpoint)
    export_policy("logonav", root / "export", checkpoint, config=SMALL_LOGONAV, progress=lambda _: None)
    return Exported(net, root / "export", checkpoint)


@pytest.fixture(scope="session")
def citywalker_small(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """Small CityWalker saved as a Lightning checkpoint and exported from it."""
    root = tmp_path_factory.mktemp("citywalker_small")
    net = random_model("citywalker", SMALL_CITYWALKER, seed=2)
    checkpoint = root / "citywalker.ckpt"
    save_lightning_checkpoint(net, checkpoint)
    export_policy("citywalker", root / "export", checkpoint, config=SMALL_CITYWALKER, progress=lambda _: None)
    return Exported(net, root / "export", checkpoint)
