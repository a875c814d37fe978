"""LogoNav (`IL_gps`) configuration: the network's shape and the deploy facts its weights imply."""

from __future__ import annotations

from dataclasses import dataclass

from anynav.policy.config import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    check_float,
    check_int,
    check_positive_ints,
    check_shared_fields,
)
from anynav.policy.errors import PolicyConfigError

ENCODERS = ("efficientnet-b0",)


@dataclass(frozen=True)
class LogoNavConfig:
    """LogoNav as released in MBRA (`logonav.pth`); the defaults are the released model.

    Attributes:
        context_frames: frames per tick, oldest first, the last being the current frame (6).
        context_spacing_s: time between context frames in training: 3 steps at 10 fps = 0.3 s.
        image_height: network input height after the whole-frame resize (96).
        image_width: network input width (96). The frame is squashed, not cropped.
        image_mean: per-channel mean the processor subtracts from RGB in [0, 1] (ImageNet).
        image_std: per-channel std the processor divides by (ImageNet).
        encoder: EfficientNet variant built with `efficientnet-pytorch` `from_name`.
        encoding_size: width of every token (1024); frames are projected 1280 -> this.
        num_heads: attention heads of the transformer (4).
        num_layers: transformer layers (4).
        ff_dim_factor: feed-forward width as a multiple of `encoding_size` (4 -> 4096).
        mlp_sizes: the MLP after flattening the tokens and projecting them to encoding_size
            (7*1024 -> 1024), then 256 -> 128 -> 64 -> 32, ReLU after every layer.
        num_waypoints: predicted waypoints, each (x, y, cos yaw, sin yaw) (8).
        waypoint_dt_s: time between waypoints: the MBRA rollout step, 1/3 s.
        goal_m_per_unit: metres per goal unit; the goal token input is [x, y] / this (0.25).
        goal_clip_m: goals farther than this are pulled in along their bearing (30 m, as deployed).
        output_m_per_unit: metres per output unit; 0.125 is the scale of the training labels
            (the released controller uses 0.1, a gain it was tuned with). The runtime can override it.
    """

    context_frames: int = 6
    context_spacing_s: float = 0.3
    image_height: int = 96
    image_width: int = 96
    image_mean: tuple[float, float, float] = IMAGENET_MEAN
    image_std: tuple[float, float, float] = IMAGENET_STD
    encoder: str = "efficientnet-b0"
    encoding_size: int = 1024
    num_heads: int = 4
    num_layers: int = 4
    ff_dim_factor: int = 4
    mlp_sizes: tuple[int, ...] = (256, 128, 64, 32)
    num_waypoints: int = 8
    waypoint_dt_s: float = 1.0 / 3.0
    goal_m_per_unit: float = 0.25
    goal_clip_m: float = 30.0
    output_m_per_unit: float = 0.125

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check_shared_fields(owner, self)
        check_int(owner, "image_height", self.image_height, 32, 1024)
        check_int(owner, "image_width", self.image_width, 32, 1024)
        if self.encoder not in ENCODERS:
            raise PolicyConfigError(f"{owner}.encoder={self.encoder!r}: expected one of {', '.join(ENCODERS)}")
        check_int(owner, "encoding_size", self.encoding_size, 8, 8192)
        if self.encoding_size % self.num_heads:
            raise PolicyConfigError(
                f"{owner}.num_heads={self.num_heads}: must divide encoding_size={self.encoding_size}"
            )
        check_positive_ints(owner, "mlp_sizes", self.mlp_sizes, None, 65536)
        check_float(owner, "goal_m_per_unit", self.goal_m_per_unit, 1e-3, 100.0)
        check_float(owner, "goal_clip_m", self.goal_clip_m, 0.1, 10000.0)
        check_float(owner, "output_m_per_unit", self.output_m_per_unit, 1e-3, 100.0)
