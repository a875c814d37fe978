"""Camera context buffer: frames kept by header stamp, context sampled at the spacing a model was trained on.

A policy trained on frames 0.3 s apart must see frames 0.3 s apart, whatever the camera rate
(visualnav and LogoNav's ROS node fed whatever the last N callbacks brought: 0.1 s apart).
The buffer keeps a bounded, stamp-ordered history and, for N frames ending at the newest
one, picks the frame nearest to each target time within a tolerance.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from anynav.perception.errors import ContextConfigError, InsufficientContextError

FrameT = TypeVar("FrameT")
_NS = 1_000_000_000


@dataclass(frozen=True)
class ContextSpec:
    """How a model's context was sampled in training.

    num_frames: frames per context, current one included, [1, 64].
    spacing_s: time between consecutive context frames, (0, 10] s.
    tolerance_s: largest accepted distance between a frame's stamp and its target time,
        (0, spacing_s / 2) so that no frame can serve two targets; default 0.4 * spacing_s.
    max_age_s: a newest frame older than this (against the caller's clock) means the
        camera stalled and no context is given, (0, 60] s.
    """

    num_frames: int
    spacing_s: float
    tolerance_s: float | None = None
    max_age_s: float = 0.5

    def __post_init__(self) -> None:
        if not (isinstance(self.num_frames, int) and 1 <= self.num_frames <= 64):
            raise ContextConfigError(f"num_frames={self.num_frames!r} must be an integer in [1, 64]")
        if not (math.isfinite(self.spacing_s) and 0.0 < self.spacing_s <= 10.0):
            raise ContextConfigError(f"spacing_s={self.spacing_s!r} must be in (0, 10] seconds")
        if self.tolerance_s is None:
            object.__setattr__(self, "tolerance_s", 0.4 * self.spacing_s)
        tolerance = self.tolerance_s
        if not (tolerance is not None and math.isfinite(tolerance) and 0.0 < tolerance < self.spacing_s / 2):
            raise ContextConfigError(
                f"tolerance_s={tolerance!r} must be in (0, spacing_s/2 = {self.spacing_s / 2:g}) seconds"
            )
        if not (math.isfinite(self.max_age_s) and 0.0 < self.max_age_s <= 60.0):
            raise ContextConfigError(f"max_age_s={self.max_age_s!r} must be in (0, 60] seconds")

    @property
    def history_s(self) -> float:
        """Time from the oldest to the newest context frame."""
        return (self.num_frames - 1) * self.spacing_s


# Context sampling each model family was trained with (see shared/reference).
PRESETS: dict[str, ContextSpec] = {
    "logonav": ContextSpec(num_frames=6, spacing_s=0.3),
    "citywalker": ContextSpec(num_frames=5, spacing_s=1.0, max_age_s=1.0),
    "vint": ContextSpec(num_frames=6, spacing_s=0.25),
    "gnm": ContextSpec(num_frames=6, spacing_s=0.25),
    "nomad": ContextSpec(num_frames=4, spacing_s=0.25),
}


def preset(name: str) -> ContextSpec:
    """The named context spec; an unknown name lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ContextConfigError(f"unknown context preset {name!r} (known: {', '.join(PRESETS)})") from None


@dataclass(frozen=True)
class Context(Generic[FrameT]):
    """Frames oldest first, with their header stamps (keys for an embedding cache) and target times."""

    frames: tuple[FrameT, ...]
    stamps_ns: tuple[int, ...]
    targets_ns: tuple[int, ...]


class ContextBuffer(Generic[FrameT]):
    """A bounded, stamp-ordered ring of frames that hands out contexts at the trained spacing."""

    def __init__(self, spec: ContextSpec, max_frames: int = 512) -> None:
        if not (isinstance(max_frames, int) and spec.num_frames <= max_frames <= 100_000):
            raise ContextConfigError(f"max_frames={max_frames!r} must be an integer in [num_frames, 100000]")
        self.spec = spec
        self.max_frames = max_frames
        assert spec.tolerance_s is not None
        self._spacing_ns = round(spec.spacing_s * _NS)
        self._tolerance_ns = round(spec.tolerance_s * _NS)
        self._keep_ns = (spec.num_frames - 1) * self._spacing_ns + self._tolerance_ns
        self._stamps: list[int] = []
        self._frames: list[FrameT] = []

    def __len__(self) -> int:
        return len(self._stamps)

    def push(self, stamp_ns: int, frame: FrameT) -> None:
        """Add a frame by its header stamp; late frames are put in order, a repeated stamp replaces."""
        stamp_ns = int(stamp_ns)
        if self._stamps and stamp_ns < self._stamps[-1] - self._keep_ns:
            return
        index = bisect.bisect_left(self._stamps, stamp_ns)
        if index < len(self._stamps) and self._stamps[index] == stamp_ns:
            self._frames[index] = frame
            return
        self._stamps.insert(index, stamp_ns)
        self._frames.insert(index, frame)
        self._trim()

    def clear(self) -> None:
        """Forget every frame (e.g. after the clock jumped back when a bag loops)."""
        self._stamps.clear()
        self._frames.clear()

    def context(self, now_ns: int | None = None) -> Context[FrameT] | None:
        """The context ending at the newest frame, or None while it cannot be formed."""
        selected = self._select(now_ns)
        return selected if isinstance(selected, Context) else None

    def require(self, now_ns: int | None = None) -> Context[FrameT]:
        """Like ``context`` but raises InsufficientContextError saying why there is none."""
        selected = self._select(now_ns)
        if isinstance(selected, str):
            raise InsufficientContextError(selected)
        return selected

    def _select(self, now_ns: int | None) -> Context[FrameT] | str:
        """The context, or why there is none."""
        spec = self.spec
        if not self._stamps:
            return "no frames yet"
        newest = self._stamps[-1]
        if now_ns is not None and now_ns - newest > spec.max_age_s * _NS:
            age_s = (now_ns - newest) / _NS
            return f"newest frame is {age_s:.2f} s old (max_age_s {spec.max_age_s:g}): camera stalled?"
        if newest - self._stamps[0] < (spec.num_frames - 1) * self._spacing_ns - self._tolerance_ns:
            have_s = (newest - self._stamps[0]) / _NS
            wanted = f"{spec.history_s:g} s of frames for {spec.num_frames} at {spec.spacing_s:g} s"
            return f"need {wanted}, have {have_s:.2f} s"
        targets = [newest - (spec.num_frames - 1 - k) * self._spacing_ns for k in range(spec.num_frames)]
        chosen: list[int] = []
        for target in targets:
            index = self._nearest(target)
            error_ns = abs(self._stamps[index] - target)
            if error_ns > self._tolerance_ns:
                return (
                    f"no frame within {spec.tolerance_s:g} s of t-{(newest - target) / _NS:g} s "
                    f"(nearest {error_ns / _NS:.3f} s away): gap in the camera stream"
                )
            chosen.append(index)
        return Context(
            frames=tuple(self._frames[i] for i in chosen),
            stamps_ns=tuple(self._stamps[i] for i in chosen),
            targets_ns=tuple(targets),
        )

    def _nearest(self, target: int) -> int:
        index = bisect.bisect_left(self._stamps, target)
        if index == 0:
            return 0
        if index == len(self._stamps):
            return index - 1
        before, after = self._stamps[index - 1], self._stamps[index]
        return index - 1 if target - before <= after - target else index

    def _trim(self) -> None:
        horizon = self._stamps[-1] - self._keep_ns
        drop = bisect.bisect_left(self._stamps, horizon)
        drop = max(drop, len(self._stamps) - self.max_frames)
        if drop > 0:
            del self._stamps[:drop]
            del self._frames[:drop]
