"""Torch building blocks both policies share: the sinusoidal position table and the transformer trunk."""

from __future__ import annotations

import math

import torch
from torch import nn


class SinusoidalPositionalEncoding(nn.Module):
    """Adds a fixed sin/cos table to the tokens.

    The table is a persistent buffer (`pos_enc`, shape [1, seq_len, dim]) because the released
    checkpoints store it; loading them overwrites it with the same values.
    """

    pos_enc: torch.Tensor

    def __init__(self, dim: int, seq_len: int) -> None:
        super().__init__()
        position = torch.arange(seq_len, dtype=torch.float32).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
        table = torch.zeros(seq_len, dim)
        table[:, 0::2] = torch.sin(position * div_term)
        table[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pos_enc", table.unsqueeze(0))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return tokens + self.pos_enc[:, : tokens.shape[1]]


class TransformerTrunk(nn.Module):
    """Position table + pre-norm GELU transformer encoder over a fixed number of tokens.

    `sa_layer` is the template layer `nn.TransformerEncoder` copies; it is never run but the
    released checkpoints carry its weights, so it stays to keep strict loading exact.
    """

    def __init__(self, dim: int, seq_len: int, num_heads: int, num_layers: int, ff_dim_factor: int) -> None:
        super().__init__()
        self.positional_encoding = SinusoidalPositionalEncoding(dim, seq_len)
        self.sa_layer = nn.TransformerEncoderLayer(
            d_model=dim,
            nhead=num_heads,
            dim_feedforward=ff_dim_factor * dim,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.sa_decoder = nn.TransformerEncoder(self.sa_layer, num_layers=num_layers, enable_nested_tensor=False)
        # The layers start as copies of the template; drawing each afresh makes an untrained
        # model look like a trained one (distinct layers), which matters for export and timing.
        for layer in self.sa_decoder.layers:
            layer.self_attn._reset_parameters()
            layer.self_attn.out_proj.reset_parameters()
            layer.linear1.reset_parameters()
            layer.linear2.reset_parameters()

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.sa_decoder(self.positional_encoding(tokens))
