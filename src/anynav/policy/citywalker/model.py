"""CityWalker network (`CityWalkerFeat`), split into a per-frame DINOv2 encoder and a fusion head.

Module and parameter names match the released Lightning checkpoint once its `model.` prefix is
removed. The crop to 350x630 is done by `anynav.policy.citywalker.processor`; ImageNet
normalisation stays inside the encoder because the checkpoint carries it (`mean`, `std`).
"""

from __future__ import annotations

import itertools

import torch
from torch import nn

from anynav.policy.citywalker.config import CityWalkerConfig
from anynav.policy.citywalker.dinov2 import DinoV2
from anynav.policy.layers import TransformerTrunk

PREDICTOR_MLP = (256, 128, 64, 32)


class PolarEmbedding(nn.Module):
    """(x, y) -> [r, theta, sin(theta f), cos(theta f), sin(r f), cos(r f)] for f = 1, 2, 4, ..."""

    freq_bands: torch.Tensor

    def __init__(self, num_freqs: int) -> None:
        super().__init__()
        self.register_buffer("freq_bands", 2.0 ** torch.linspace(0, num_freqs - 1, num_freqs))

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        x, y = coords[..., 0], coords[..., 1]
        r = torch.sqrt(x * x + y * y).unsqueeze(-1)
        # atan2(+0, +0) = 0 is what the current position (the origin) gets in training; ONNX has no
        # atan2 and its Atan(y / x) rewrite gives NaN there, so the origin is selected explicitly.
        origin = (x == 0) & (y == 0)
        theta = torch.where(origin, torch.zeros_like(x), torch.atan2(y, x)).unsqueeze(-1)
        bands = self.freq_bands.view(1, 1, -1)
        return torch.cat(
            [r, theta, torch.sin(theta * bands), torch.cos(theta * bands), torch.sin(r * bands), torch.cos(r * bands)],
            dim=-1,
        )


class CityWalker(nn.Module):
    """DINOv2 CLS per frame; past positions + target -> one token; 16-layer transformer; two heads.

    Coordinates are in the model frame (x right, y forward) divided by the step scale; the
    runtime converts from REP-103 base_link. Outputs: 5 cumulative (x, y) waypoints in the same
    frame and units, and an arrival logit.
    """

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, config: CityWalkerConfig | None = None) -> None:
        super().__init__()
        self.config = config or CityWalkerConfig()
        cfg = self.config
        self.register_buffer("mean", torch.tensor(cfg.image_mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(cfg.image_std).view(1, 3, 1, 1))
        self.obs_encoder = DinoV2(
            cfg.patch_size, cfg.vit_dim, cfg.vit_depth, cfg.vit_heads, cfg.vit_mlp_ratio, cfg.vit_pos_grid
        )
        self.cord_embedding = PolarEmbedding(cfg.num_freqs)
        self.compress_goal_enc = nn.Linear(cfg.coord_features * (cfg.context_frames + 1), cfg.vit_dim)
        self.predictor = TransformerTrunk(
            cfg.vit_dim, cfg.context_frames + 1, cfg.num_heads, cfg.num_layers, cfg.ff_dim_factor
        )
        sizes = ((cfg.context_frames + 1) * cfg.vit_dim, *PREDICTOR_MLP)
        layers: list[nn.Module] = []
        for a, b in itertools.pairwise(sizes):
            layers += [nn.Linear(a, b), nn.ReLU()]
        self.predictor_mlp = nn.Sequential(*layers[:-1])
        self.wp_predictor = nn.Linear(PREDICTOR_MLP[-1], cfg.num_waypoints * 2)
        self.arrive_predictor = nn.Linear(PREDICTOR_MLP[-1], 1)

    def encode(self, images: torch.Tensor, pos_embed: torch.Tensor | None = None) -> torch.Tensor:
        """[N, 3, H, W] RGB in [0, 1] -> [N, vit_dim]; frames are independent."""
        return self.obs_encoder((images - self.mean) / self.std, pos_embed)

    def head(self, obs_embeddings: torch.Tensor, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, T, D] embeddings (oldest first) + [B, T+1, 2] positions then target -> waypoints, logit."""
        batch = coords.shape[0]
        coord_token = self.compress_goal_enc(self.cord_embedding(coords).reshape(batch, -1)).unsqueeze(1)
        features = self.predictor(torch.cat([obs_embeddings, coord_token], dim=1))
        hidden = self.predictor_mlp(features.reshape(batch, -1))
        steps = self.wp_predictor(hidden).reshape(batch, self.config.num_waypoints, 2)
        return torch.cumsum(steps, dim=1), self.arrive_predictor(hidden)

    def forward(self, images: torch.Tensor, coords: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, T, 3, H, W] frames + [B, T+1, 2] coordinates -> the released model's full step."""
        batch, frames = images.shape[:2]
        embeddings = self.encode(images.flatten(0, 1)).reshape(batch, frames, -1)
        return self.head(embeddings, coords)
