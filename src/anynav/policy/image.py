"""Image checks and resizes the policy processors share (numpy + OpenCV, no torch)."""

from __future__ import annotations

import cv2
import numpy as np

from anynav.policy.errors import PolicyInputError


def check_rgb8(image: object, where: str) -> np.ndarray:
    """Return `image` if it is an H x W x 3 uint8 array, else raise naming `where` and what it got."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        got = f"{image.dtype} array of shape {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
        raise PolicyInputError(f"{where}: expected an H x W x 3 uint8 RGB array, got {got}")
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise PolicyInputError(f"{where}: image of {image.shape[1]}x{image.shape[0]} px is too small")
    return image


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize to height x width: area averaging when shrinking (no aliasing), bilinear when growing."""
    if image.shape[:2] == (height, width):
        return image
    shrinking = height * width < image.shape[0] * image.shape[1]
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def cover_then_center_crop(
    image: np.ndarray, cover_height: int, cover_width: int, height: int, width: int
) -> np.ndarray:
    """Scale keeping the aspect ratio until it covers cover_height x cover_width, then centre-crop."""
    scale = max(cover_height / image.shape[0], cover_width / image.shape[1])
    scaled_h = max(round(image.shape[0] * scale), cover_height)
    scaled_w = max(round(image.shape[1] * scale), cover_width)
    image = resize(image, scaled_h, scaled_w)
    # Rounded as torchvision's center_crop rounds, which the released model used.
    top, left = round((scaled_h - height) / 2.0), round((scaled_w - width) / 2.0)
    return image[top : top + height, left : left + width]


def to_chw_float(image: np.ndarray, mean: tuple[float, ...] | None, std: tuple[float, ...] | None) -> np.ndarray:
    """uint8 HWC -> float32 CHW in [0, 1], then (x - mean) / std per channel when given."""
    out: np.ndarray = image.astype(np.float32) * np.float32(1.0 / 255.0)
    if mean is not None and std is not None:
        out = (out - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    return np.ascontiguousarray(out.transpose(2, 0, 1))
