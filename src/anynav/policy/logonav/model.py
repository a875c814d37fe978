"""LogoNav network (MBRA's `IL_gps`), split into a per-frame encoder and a fusion head.

The module tree and parameter names match the released `logonav.pth` exactly, so the released
weights load strictly. Pre- and post-processing (resize, normalisation, metric scales) live in
`anynav.policy.logonav.processor`.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from efficientnet_pytorch import EfficientNet
from torch import nn

from anynav.policy.layers import TransformerTrunk
from anynav.policy.logonav.config import LogoNavConfig


class WaypointDecoder(TransformerTrunk):
    """Transformer trunk, then every token flattened into an MLP with ReLU after each layer."""

    def __init__(self, config: LogoNavConfig) -> None:
        seq_len = config.context_frames + 1
        dim = config.encoding_size
        super().__init__(dim, seq_len, config.num_heads, config.num_layers, config.ff_dim_factor)
        sizes = (seq_len * dim, dim, *config.mlp_sizes)
        self.output_layers = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = super().forward(tokens).flatten(1)
        for layer in self.output_layers:
            x = F.relu(layer(x))
        return x


class LogoNav(nn.Module):
    """EfficientNet-B0 per frame -> 1024-d tokens; goal pose -> one token; transformer -> 8 waypoints.

    Inputs are normalised 96x96 frames and the goal [x/0.25, y/0.25, cos yaw, sin yaw] in the
    robot frame (x forward, y left). Output [B, 8, 4]: cumulative (x, y) in output units and a
    unit (cos, sin) heading per waypoint.
    """

    def __init__(self, config: LogoNavConfig | None = None) -> None:
        super().__init__()
        self.config = config or LogoNavConfig()
        cfg = self.config
        self.obs_encoder = EfficientNet.from_name(cfg.encoder, in_channels=3)
        # The memory-efficient Swish is a custom autograd function the ONNX exporter cannot trace;
        # the plain one computes the same values.
        self.obs_encoder.set_swish(memory_efficient=False)
        self.compress_obs_enc = nn.Linear(self.obs_encoder._fc.in_features, cfg.encoding_size)
        self.local_goal = nn.Sequential(nn.Linear(4, cfg.encoding_size))
        self.decoder = WaypointDecoder(cfg)
        self.action_predictor = nn.Sequential(nn.Linear(cfg.mlp_sizes[-1], cfg.num_waypoints * 4))

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        """[N, 3, H, W] normalised frames -> [N, encoding_size]; frames are independent."""
        features = self.obs_encoder.extract_features(images)
        features = self.obs_encoder._avg_pooling(features).flatten(1)
        return self.compress_obs_enc(self.obs_encoder._dropout(features))

    def head(self, obs_embeddings: torch.Tensor, goal: torch.Tensor) -> torch.Tensor:
        """[B, T, D] frame embeddings (oldest first) + [B, 4] goal -> [B, num_waypoints, 4]."""
        tokens = torch.cat([obs_embeddings, self.local_goal(goal).unsqueeze(1)], dim=1)
        raw = self.action_predictor(self.decoder(tokens)).reshape(goal.shape[0], self.config.num_waypoints, 4)
        # Built with cat rather than in-place slice writes so the graph exports cleanly.
        return torch.cat([torch.cumsum(raw[..., :2], dim=1), F.normalize(raw[..., 2:], dim=-1)], dim=-1)

    def forward(self, images: torch.Tensor, goal: torch.Tensor) -> torch.Tensor:
        """[B, T, 3, H, W] frames + [B, 4] goal -> waypoints: the released model's full step."""
        batch, frames = images.shape[:2]
        embeddings = self.encode(images.flatten(0, 1)).reshape(batch, frames, -1)
        return self.head(embeddings, goal)
