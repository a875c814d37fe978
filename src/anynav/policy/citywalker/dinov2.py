"""DINOv2 ViT (B/14 by default) written here, so CityWalker needs neither torch.hub nor a network.

Parameter names follow the DINOv2 release (`cls_token`, `pos_embed`, `mask_token`,
`patch_embed.proj`, `blocks.{i}.{norm1,attn.qkv,attn.proj,ls1.gamma,norm2,mlp.fc1,mlp.fc2,ls2.gamma}`,
`norm`), which is what CityWalker's checkpoint stores under `obs_encoder.`. Only inference is
implemented: no masking, no registers, no stochastic depth.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

LAYER_NORM_EPS = 1e-6
# DINOv2 resizes its position table with a small offset on the target grid (`interpolate_offset`).
POS_INTERPOLATE_OFFSET = 0.1


class PatchEmbed(nn.Module):
    """Non-overlapping patches -> tokens via one strided convolution."""

    def __init__(self, patch_size: int, dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.proj(images).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    """Multi-head self-attention with a fused qkv projection."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, tokens, dim = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads, dim // self.num_heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        return self.proj(out.transpose(1, 2).reshape(batch, tokens, dim))


class LayerScale(nn.Module):
    """Per-channel learned residual gain."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma


class Mlp(nn.Module):
    """Two-layer GELU MLP."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer block with layer scale on both residual branches."""

    def __init__(self, dim: int, num_heads: int, mlp_ratio: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=LAYER_NORM_EPS)
        self.attn = Attention(dim, num_heads)
        self.ls1 = LayerScale(dim)
        self.norm2 = nn.LayerNorm(dim, eps=LAYER_NORM_EPS)
        self.mlp = Mlp(dim, mlp_ratio * dim)
        self.ls2 = LayerScale(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


class DinoV2(nn.Module):
    """DINOv2 backbone returning the normalised CLS token of each image."""

    def __init__(self, patch_size: int, dim: int, depth: int, num_heads: int, mlp_ratio: int, pos_grid: int) -> None:
        super().__init__()
        self.patch_size = patch_size
        self.pos_grid = pos_grid
        self.patch_embed = PatchEmbed(patch_size, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, pos_grid * pos_grid + 1, dim))
        # Used only for masked pre-training; kept because the weights carry it.
        self.mask_token = nn.Parameter(torch.zeros(1, dim))
        self.blocks = nn.ModuleList(Block(dim, num_heads, mlp_ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=LAYER_NORM_EPS)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.normal_(self.cls_token, std=1e-6)

    def pos_embed_for(self, grid_h: int, grid_w: int) -> torch.Tensor:
        """The position table for a grid_h x grid_w patch grid, resized as DINOv2 does it."""
        if grid_h == grid_w == self.pos_grid:
            return self.pos_embed
        table = self.pos_embed.float()
        side, dim = self.pos_grid, table.shape[-1]
        patches = table[:, 1:].reshape(1, side, side, dim).permute(0, 3, 1, 2)
        scale = ((grid_h + POS_INTERPOLATE_OFFSET) / side, (grid_w + POS_INTERPOLATE_OFFSET) / side)
        patches = F.interpolate(patches, scale_factor=scale, mode="bicubic", align_corners=False)
        if patches.shape[-2:] != (grid_h, grid_w):
            raise ValueError(f"position table resized to {tuple(patches.shape[-2:])}, expected {(grid_h, grid_w)}")
        patches = patches.permute(0, 2, 3, 1).reshape(1, grid_h * grid_w, dim)
        return torch.cat([table[:, :1], patches], dim=1).to(self.pos_embed.dtype)

    def forward(self, images: torch.Tensor, pos_embed: torch.Tensor | None = None) -> torch.Tensor:
        """[N, 3, H, W] normalised images -> [N, dim] CLS features.

        `pos_embed` lets an exported graph pass the table precomputed for its fixed input size.
        """
        grid_h, grid_w = images.shape[-2] // self.patch_size, images.shape[-1] // self.patch_size
        x = self.patch_embed(images)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + (self.pos_embed_for(grid_h, grid_w) if pos_embed is None else pos_embed)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)[:, 0]
