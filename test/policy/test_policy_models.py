"""The networks have the released checkpoints' exact key layout at full size, and behave as specified."""

from __future__ import annotations

import math

import pytest
import torch
from efficientnet_pytorch import EfficientNet
from policy_helpers import SMALL_LOGONAV

from anynav.policy.citywalker.config import CityWalkerConfig
from anynav.policy.citywalker.dinov2 import DinoV2
from anynav.policy.citywalker.model import CityWalker, PolarEmbedding
from anynav.policy.errors import PolicyConfigError
from anynav.policy.logonav.model import LogoNav


def _encoder_layer(prefix: str, dim: int, ff: int) -> dict[str, tuple[int, ...]]:
    """Keys of one nn.TransformerEncoderLayer as both released models store them."""
    return {
        f"{prefix}.self_attn.in_proj_weight": (3 * dim, dim),
        f"{prefix}.self_attn.in_proj_bias": (3 * dim,),
        f"{prefix}.self_attn.out_proj.weight": (dim, dim),
        f"{prefix}.self_attn.out_proj.bias": (dim,),
        f"{prefix}.linear1.weight": (ff, dim),
        f"{prefix}.linear1.bias": (ff,),
        f"{prefix}.linear2.weight": (dim, ff),
        f"{prefix}.linear2.bias": (dim,),
        f"{prefix}.norm1.weight": (dim,),
        f"{prefix}.norm1.bias": (dim,),
        f"{prefix}.norm2.weight": (dim,),
        f"{prefix}.norm2.bias": (dim,),
    }


def _released_logonav_layout() -> dict[str, tuple[int, ...]]:
    """logonav.pth as MBRA's IL_gps(context 5, 8 waypoints, 1024-d, 4 heads, 4 layers) saves it."""
    with torch.device("meta"):
        effnet = EfficientNet.from_name("efficientnet-b0", in_channels=3)
    layout = {f"obs_encoder.{k}": tuple(v.shape) for k, v in effnet.state_dict().items()}
    layout |= {
        "compress_obs_enc.weight": (1024, 1280),
        "compress_obs_enc.bias": (1024,),
        "local_goal.0.weight": (1024, 4),
        "local_goal.0.bias": (1024,),
        "decoder.positional_encoding.pos_enc": (1, 7, 1024),
        "action_predictor.0.weight": (32, 32),
        "action_predictor.0.bias": (32,),
    }
    layout |= _encoder_layer("decoder.sa_layer", 1024, 4096)
    for i in range(4):
        layout |= _encoder_layer(f"decoder.sa_decoder.layers.{i}", 1024, 4096)
    for i, (out, inp) in enumerate([(1024, 7 * 1024), (256, 1024), (128, 256), (64, 128), (32, 64)]):
        layout |= {f"decoder.output_layers.{i}.weight": (out, inp), f"decoder.output_layers.{i}.bias": (out,)}
    return layout


def _released_citywalker_layout() -> dict[str, tuple[int, ...]]:
    """CityWalker_2000hr.ckpt's state_dict without `model.`: DINOv2 ViT-B/14 + 16-layer head."""
    layout: dict[str, tuple[int, ...]] = {
        "mean": (1, 3, 1, 1),
        "std": (1, 3, 1, 1),
        "obs_encoder.cls_token": (1, 1, 768),
        "obs_encoder.pos_embed": (1, 37 * 37 + 1, 768),
        "obs_encoder.mask_token": (1, 768),
        "obs_encoder.patch_embed.proj.weight": (768, 3, 14, 14),
        "obs_encoder.patch_embed.proj.bias": (768,),
        "obs_encoder.norm.weight": (768,),
        "obs_encoder.norm.bias": (768,),
        "cord_embedding.freq_bands": (6,),
        "compress_goal_enc.weight": (768, 6 * 26),
        "compress_goal_enc.bias": (768,),
        "predictor.positional_encoding.pos_enc": (1, 6, 768),
        "wp_predictor.weight": (10, 32),
        "wp_predictor.bias": (10,),
        "arrive_predictor.weight": (1, 32),
        "arrive_predictor.bias": (1,),
    }
    for i in range(12):
        p = f"obs_encoder.blocks.{i}"
        layout |= {
            f"{p}.norm1.weight": (768,),
            f"{p}.norm1.bias": (768,),
            f"{p}.attn.qkv.weight": (2304, 768),
            f"{p}.attn.qkv.bias": (2304,),
            f"{p}.attn.proj.weight": (768, 768),
            f"{p}.attn.proj.bias": (768,),
            f"{p}.ls1.gamma": (768,),
            f"{p}.norm2.weight": (768,),
            f"{p}.norm2.bias": (768,),
            f"{p}.mlp.fc1.weight": (3072, 768),
            f"{p}.mlp.fc1.bias": (3072,),
            f"{p}.mlp.fc2.weight": (768, 3072),
            f"{p}.mlp.fc2.bias": (768,),
            f"{p}.ls2.gamma": (768,),
        }
    layout |= _encoder_layer("predictor.sa_layer", 768, 3072)
    for i in range(16):
        layout |= _encoder_layer(f"predictor.sa_decoder.layers.{i}", 768, 3072)
    for i, (out, inp) in zip((0, 2, 4, 6), [(256, 6 * 768), (128, 256), (64, 128), (32, 64)]):
        layout |= {f"predictor_mlp.{i}.weight": (out, inp), f"predictor_mlp.{i}.bias": (out,)}
    return layout


def _layout(net: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {key: tuple(value.shape) for key, value in net.state_dict().items()}


def test_full_size_logonav_has_the_released_key_layout() -> None:
    with torch.device("meta"):
        net = LogoNav()
    layout = _layout(net)
    assert layout == _released_logonav_layout()
    # The reference counts 77.2 M values in logonav.pth.
    assert round(sum(math.prod(shape) for shape in layout.values()) / 1e6, 1) == 77.3


def test_full_size_citywalker_has_the_released_key_layout() -> None:
    with torch.device("meta"):
        net = CityWalker()
    layout = _layout(net)
    assert layout == _released_citywalker_layout()
    dino = sum(math.prod(shape) for key, shape in layout.items() if key.startswith("obs_encoder."))
    assert round(dino / 1e6, 1) == 86.6  # DINOv2 ViT-B/14


def test_polar_embedding_of_known_points() -> None:
    embed = PolarEmbedding(num_freqs=2)
    out = embed(torch.tensor([[[0.0, 2.0], [0.0, 0.0], [-1.0, 0.0]]]))
    r, theta = out[0, :, 0], out[0, :, 1]
    torch.testing.assert_close(r, torch.tensor([2.0, 0.0, 1.0]))
    torch.testing.assert_close(theta, torch.tensor([math.pi / 2, 0.0, math.pi]))
    # [r, theta, sin(theta f), cos(theta f), sin(r f), cos(r f)] with f = 1, 2
    torch.testing.assert_close(
        out[0, 0, 2:], torch.tensor([1.0, 0.0, 0.0, -1.0, math.sin(2), math.sin(4), math.cos(2), math.cos(4)])
    )


def test_dinov2_position_table_resizes_to_the_input_grid() -> None:
    vit = DinoV2(patch_size=14, dim=32, depth=1, num_heads=2, mlp_ratio=2, pos_grid=37)
    assert vit.pos_embed_for(37, 37) is vit.pos_embed
    table = vit.pos_embed_for(25, 45)
    assert table.shape == (1, 25 * 45 + 1, 32)
    torch.testing.assert_close(table[:, 0], vit.pos_embed[:, 0])  # the CLS entry is not resized
    assert vit(torch.rand(2, 3, 350, 630)).shape == (2, 32)


def test_logonav_waypoints_accumulate_steps_and_headings_are_unit_vectors() -> None:
    torch.manual_seed(0)
    net = LogoNav(SMALL_LOGONAV).eval()
    obs, goal = torch.randn(3, SMALL_LOGONAV.context_frames, SMALL_LOGONAV.encoding_size), torch.randn(3, 4)
    with torch.no_grad():
        out = net.head(obs, goal)
        tokens = torch.cat([obs, net.local_goal(goal).unsqueeze(1)], dim=1)
        steps = net.action_predictor(net.decoder(tokens)).reshape(3, 8, 4)
    torch.testing.assert_close(out[..., :2], steps[..., :2].cumsum(dim=1))
    torch.testing.assert_close(out[..., 2:], steps[..., 2:] / steps[..., 2:].norm(dim=-1, keepdim=True))


def test_citywalker_config_rejects_a_size_that_is_not_whole_patches() -> None:
    with pytest.raises(PolicyConfigError, match="image_width=640: must be a multiple of patch_size=14"):
        CityWalkerConfig(image_width=640)
