"""CityWalker (`CityWalkerFeat`) configuration: DINOv2 encoder, coordinate token, transformer, heads."""

from __future__ import annotations

from dataclasses import dataclass

from anynav.policy.config import IMAGENET_MEAN, IMAGENET_STD, check_float, check_int, check_shared_fields
from anynav.policy.errors import PolicyConfigError


@dataclass(frozen=True)
class CityWalkerConfig:
    """CityWalker as released (`CityWalker_2000hr.ckpt`, `citywalk_2000hr.yaml`); defaults are that model.

    Attributes:
        context_frames: frames per tick, oldest first, the last being the current frame (5).
        context_spacing_s: time between context frames and their positions in training (1 s).
        image_height: network input height (350): the centre crop the released model takes.
        image_width: network input width (630).
        cover_height: the processor first scales the frame, keeping its aspect, to cover
            cover_height x cover_width (the 360x640 training videos), then centre-crops.
        cover_width: see cover_height (640).
        image_mean: ImageNet mean; applied inside the encoder graph (buffer `mean`), not by the processor.
        image_std: ImageNet std; applied inside the encoder graph (buffer `std`).
        patch_size: ViT patch size (14).
        vit_dim: ViT width (768 for ViT-B).
        vit_depth: ViT blocks (12).
        vit_heads: ViT attention heads (12).
        vit_mlp_ratio: ViT MLP width as a multiple of vit_dim (4).
        vit_pos_grid: side of the square patch grid the ViT position embedding was trained at
            (37 = 518 / 14); it is resized bicubically to the input grid.
        num_freqs: frequency bands of the polar coordinate embedding (6 -> 2 + 4*6 = 26 per point).
        num_heads: attention heads of the head transformer (8).
        num_layers: head transformer layers (16).
        ff_dim_factor: head feed-forward width as a multiple of vit_dim (4).
        num_waypoints: predicted waypoints, each (x, y) (5).
        waypoint_dt_s: time between waypoints (1 s).
        step_scale_m: metres per model unit for positions in and waypoints out: roughly the
            robot's distance per second at its nominal speed. The runtime can override it.
    """

    context_frames: int = 5
    context_spacing_s: float = 1.0
    image_height: int = 350
    image_width: int = 630
    cover_height: int = 360
    cover_width: int = 640
    image_mean: tuple[float, float, float] = IMAGENET_MEAN
    image_std: tuple[float, float, float] = IMAGENET_STD
    patch_size: int = 14
    vit_dim: int = 768
    vit_depth: int = 12
    vit_heads: int = 12
    vit_mlp_ratio: int = 4
    vit_pos_grid: int = 37
    num_freqs: int = 6
    num_heads: int = 8
    num_layers: int = 16
    ff_dim_factor: int = 4
    num_waypoints: int = 5
    waypoint_dt_s: float = 1.0
    step_scale_m: float = 1.0

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_shared_fields(owner, self)
        check_int(owner, "patch_size", self.patch_size, 1, 64)
        for name in ("image_height", "image_width"):
            check_int(owner, name, getattr(self, name), self.patch_size, 4096)
            if getattr(self, name) % self.patch_size:
                raise PolicyConfigError(
                    f"{owner}.{name}={getattr(self, name)}: must be a multiple of patch_size={self.patch_size}"
                )
        check_int(owner, "cover_height", self.cover_height, self.image_height, 8192)
        check_int(owner, "cover_width", self.cover_width, self.image_width, 8192)
        check_int(owner, "vit_dim", self.vit_dim, 8, 8192)
        check_int(owner, "vit_depth", self.vit_depth, 1, 64)
        check_int(owner, "vit_heads", self.vit_heads, 1, 64)
        check_int(owner, "vit_mlp_ratio", self.vit_mlp_ratio, 1, 16)
        check_int(owner, "vit_pos_grid", self.vit_pos_grid, 1, 256)
        check_int(owner, "num_freqs", self.num_freqs, 1, 32)
        for heads_name, heads in (("vit_heads", self.vit_heads), ("num_heads", self.num_heads)):
            if self.vit_dim % heads:
                raise PolicyConfigError(f"{owner}.{heads_name}={heads}: must divide vit_dim={self.vit_dim}")
        check_float(owner, "step_scale_m", self.step_scale_m, 1e-3, 100.0)

    @property
    def coord_features(self) -> int:
        """Width of the polar embedding of one point: r, theta and sin/cos of both per band."""
        return 2 + 4 * self.num_freqs
