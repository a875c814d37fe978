"""Camera history for the VLA, kept as NaVILA saw it: one frame per 0.5 s of motion since the instruction began."""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

from anynav.language.config import FrameHistoryConfig
from anynav.language.errors import FrameError
from anynav.language.motion import Pose2D, wrap_angle

Frame = np.ndarray | Callable[[], np.ndarray]
"""An (H, W, 3) uint8 RGB array, or a function returning one (decoded only if the frame is used)."""


def encode_frame(rgb: np.ndarray, size: int, quality: int) -> bytes:
    """Stretch an RGB frame to size × size (NaVILA resizes, never crops) and JPEG-encode it."""
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        shape = getattr(rgb, "shape", None)
        dtype = getattr(rgb, "dtype", type(rgb).__name__)
        raise FrameError(f"camera frame: expected an (H, W, 3) uint8 RGB array, got shape {shape} dtype {dtype}")
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise FrameError(f"camera frame: empty image of shape {rgb.shape}")
    shrinking = rgb.shape[0] >= size and rgb.shape[1] >= size
    resized = cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)
    ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(resized, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise FrameError("camera frame: JPEG encoding failed")
    return encoded.tobytes()


def history_indices(count: int, picks: int) -> list[int]:
    """``picks`` indices spread evenly over ``count`` frames, the first always included.

    NaVILA's ``int(i * (count - 1) / picks)`` for i in 0..picks-1: the newest frame is not among
    them; it is appended separately as the current observation.
    """
    return [int(i * (count - 1) / picks) for i in range(picks)]


class FrameHistory:
    """Frames kept since the instruction began, and the sample of them sent with each query.

    Call ``offer`` for every camera frame; it costs a few microseconds unless the frame is kept
    (then one resize and one JPEG encode). Frames are kept per motion, never per callback: with
    odometry, every 25 cm or 15 degrees travelled since the last kept frame; without, every
    0.5 s while ``moving`` is true. Standing still keeps nothing, so a robot waiting for a reply
    does not fill its history with identical views (a known cause of "move forward" collapse).
    """

    def __init__(self, config: FrameHistoryConfig | None = None) -> None:
        self.config = config or FrameHistoryConfig()
        self._black = encode_frame(
            np.zeros((self.config.image_size, self.config.image_size, 3), np.uint8),
            self.config.image_size,
            self.config.jpeg_quality,
        )
        self._latest: tuple[float, Frame, Pose2D | None] | None = None
        self.reset()

    def reset(self) -> None:
        """Start a new episode (a new instruction): forget every kept frame.

        The newest camera frame, if any, becomes the episode's first frame, as NaVILA records the
        view at episode start; check ``latest_stamp`` if the camera may have gone quiet.
        """
        self._frames: list[bytes] = []
        self._kept_stamp = -math.inf
        self._kept_pose: Pose2D | None = None
        self._motion_s = 0.0
        self._carry = 0.0
        if self._latest is not None:
            self._keep(*self._latest)

    @property
    def latest_stamp(self) -> float | None:
        """Stamp (s) of the newest camera frame offered, None before the first."""
        return None if self._latest is None else self._latest[0]

    def __len__(self) -> int:
        return len(self._frames)

    def offer(self, stamp_s: float, frame: Frame, *, pose: Pose2D | None = None, moving: bool = False) -> bool:
        """Consider one camera frame; returns True when it was kept in the history.

        ``stamp_s`` is the image's header stamp in seconds. ``pose`` is the odometry pose at that
        time (None without odometry); ``moving`` says whether the robot was commanded to move
        since the previous frame (used only without odometry). The newest frame is remembered,
        not copied, as the next query's current observation: do not modify the array afterwards.
        """
        progress = self._progress(stamp_s, pose, moving) if self._frames else 1.0
        self._latest = (stamp_s, frame, pose)
        due = progress >= 1.0 - 1e-9
        if due:
            self._keep(stamp_s, frame, pose)
            # Carry the part of a step travelled past this frame, so spacing does not drift with the
            # camera rate; a long gap (progress of several steps) still yields one frame, not a burst.
            self._carry = (progress - 1.0) % 1.0 if progress > 1.0 else 0.0
        return due

    def sample(self) -> list[bytes]:
        """The JPEGs for one query: evenly spread history frames, then the current one.

        Fewer frames than ``num_frames`` are left-padded with black frames, as in training.
        Raises FrameError before the first camera frame: a VLA must never be asked blind.
        """
        if self._latest is None:
            raise FrameError("no camera frame yet; cannot query the VLA")
        frames = list(self._frames)
        if self._latest[0] > self._kept_stamp:
            frames.append(self._encode(self._latest[1]))
        picks = self.config.num_frames - 1
        if len(frames) < self.config.num_frames:
            frames = [self._black] * (self.config.num_frames - len(frames)) + frames
        return [frames[index] for index in history_indices(len(frames), picks)] + [frames[-1]]

    def _progress(self, stamp_s: float, pose: Pose2D | None, moving: bool) -> float:
        """Motion since the last kept frame, in frame steps (1.0: the next frame is due)."""
        if pose is not None:
            if self._kept_pose is None:
                self._kept_pose = pose  # odometry just appeared: measure from here
                return self._carry
            # Measured from the kept frame's pose, not summed per callback, so jitter never adds up.
            distance = math.hypot(pose.x - self._kept_pose.x, pose.y - self._kept_pose.y)
            turned = abs(wrap_angle(pose.yaw - self._kept_pose.yaw))
            return self._carry + distance / self.config.frame_distance_m + turned / self.config.frame_angle_rad
        previous = self.latest_stamp  # offer() records the new frame after measuring
        if moving and previous is not None:
            self._motion_s += max(0.0, stamp_s - previous)
        return self._carry + self._motion_s / self.config.frame_interval_s

    def _keep(self, stamp_s: float, frame: Frame, pose: Pose2D | None) -> None:
        self._frames.append(self._encode(frame))
        self._kept_stamp = stamp_s
        self._kept_pose = pose
        self._motion_s = 0.0
        self._carry = 0.0
        if len(self._frames) > self.config.max_frames:
            self._thin()

    def _thin(self) -> None:
        """Drop every second frame but the first (the start view) and the newest.

        Sampling is by index, so a uniformly thinned history samples the same moments.
        """
        newest = len(self._frames) - 1
        self._frames = [f for i, f in enumerate(self._frames) if i == 0 or (newest - i) % 2 == 0]

    def _encode(self, frame: Frame) -> bytes:
        rgb = frame() if callable(frame) else frame
        return encode_frame(rgb, self.config.image_size, self.config.jpeg_quality)
