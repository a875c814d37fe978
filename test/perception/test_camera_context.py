"""Camera context: frames at the trained spacing by header stamp, whatever the camera rate."""

from __future__ import annotations

import numpy as np
import pytest

from anynav.perception.context import PRESETS, ContextBuffer, ContextSpec, preset
from anynav.perception.errors import ContextConfigError, InsufficientContextError

S = 1_000_000_000


def jittered_stamps(rate_hz: float, seconds: float, jitter_s: float, seed: int) -> np.ndarray:
    """Camera stamps at ``rate_hz`` with uniform jitter, as a USB camera delivers them."""
    rng = np.random.default_rng(seed)
    nominal = np.arange(0.0, seconds, 1.0 / rate_hz)
    return np.round((nominal + rng.uniform(-jitter_s, jitter_s, len(nominal)) + 1.0) * S).astype(np.int64)


@pytest.mark.parametrize("model", ["logonav", "citywalker", "vint"])
@pytest.mark.parametrize(("rate_hz", "jitter_s"), [(9.0, 0.015), (30.0, 0.005)])
def test_context_frames_sit_at_the_trained_spacing(model: str, rate_hz: float, jitter_s: float) -> None:
    spec = preset(model)
    buffer: ContextBuffer[np.ndarray] = ContextBuffer(spec)
    stamps = jittered_stamps(rate_hz, spec.history_s + 3.0, jitter_s, seed=int(rate_hz))
    contexts = 0
    for i, stamp in enumerate(stamps):
        frame = np.full((2, 2, 3), i % 256, dtype=np.uint8)
        buffer.push(int(stamp), frame)
        context = buffer.context(now_ns=int(stamp))
        if context is None:
            assert stamp - stamps[0] < spec.history_s * S + 0.1 * S  # only while the history fills
            continue
        contexts += 1
        got = np.array(context.stamps_ns)
        assert len(got) == spec.num_frames and got[-1] == stamp  # ends at the newest frame
        errors = np.abs(got - np.array(context.targets_ns)) / S
        spacing = np.diff(got) / S
        assert errors.max() <= spec.tolerance_s
        if stamp - stamps[0] > (spec.history_s + 1.0 / rate_hz) * S:  # history covers every target
            assert errors.max() <= 1.0 / rate_hz / 2 + 2 * jitter_s  # the nearest frame to every target
            assert spacing == pytest.approx(spec.spacing_s, abs=1.0 / rate_hz + 2 * jitter_s)
        assert context.frames[0][0, 0, 0] == np.searchsorted(stamps, got[0]) % 256  # payload travels with its stamp
    assert contexts > 2 * rate_hz


def test_presets_are_the_trained_samplings() -> None:
    assert (PRESETS["logonav"].num_frames, PRESETS["logonav"].spacing_s) == (6, 0.3)
    assert (PRESETS["citywalker"].num_frames, PRESETS["citywalker"].spacing_s) == (5, 1.0)
    assert (PRESETS["vint"].num_frames, PRESETS["vint"].spacing_s) == (6, 0.25)
    assert (PRESETS["nomad"].num_frames, PRESETS["nomad"].spacing_s) == (4, 0.25)
    with pytest.raises(ContextConfigError, match="unknown context preset 'dino' .*logonav"):
        preset("dino")


def test_short_history_gives_none_and_a_reason() -> None:
    buffer: ContextBuffer[str] = ContextBuffer(preset("logonav"))
    assert buffer.context() is None
    with pytest.raises(InsufficientContextError, match="no frames yet"):
        buffer.require()
    for k in range(10):
        buffer.push(k * S // 10, f"f{k}")
    with pytest.raises(InsufficientContextError, match=r"need 1.5 s of frames for 6 at 0.3 s, have 0.90 s"):
        buffer.require()


def test_gap_in_the_stream_gives_no_context() -> None:
    buffer: ContextBuffer[int] = ContextBuffer(ContextSpec(num_frames=3, spacing_s=1.0))
    for t in (0.0, 0.1, 0.2, 1.9, 2.0):  # nothing near t-1 s
        buffer.push(round(t * S), round(t * 10))
    with pytest.raises(InsufficientContextError, match="no frame within 0.4 s of t-1 s .*gap in the camera stream"):
        buffer.require()
    buffer.push(round(0.95 * S), 9)  # a late frame fills the gap
    assert buffer.require().frames == (0, 9, 20)


def test_stalled_camera_gives_no_context() -> None:
    buffer: ContextBuffer[int] = ContextBuffer(ContextSpec(num_frames=2, spacing_s=0.25))
    buffer.push(0, 0)
    buffer.push(S // 4, 1)
    assert buffer.context(now_ns=S // 4 + S // 10) is not None
    with pytest.raises(InsufficientContextError, match="newest frame is 0.75 s old"):
        buffer.require(now_ns=S)


def test_buffer_is_bounded_by_time_and_count() -> None:
    buffer: ContextBuffer[int] = ContextBuffer(preset("citywalker"), max_frames=50)
    for k in range(2000):
        buffer.push(k * S // 30, k)
    assert len(buffer) == 50
    small: ContextBuffer[int] = ContextBuffer(preset("logonav"))
    for k in range(2000):
        small.push(k * S // 30, k)
    assert len(small) == 1 + int((5 * 0.3 + 0.12) * 30)  # the history plus one tolerance, at 30 Hz
    small.clear()
    assert len(small) == 0 and small.context() is None


def test_repeated_stamp_replaces_and_ancient_frames_are_ignored() -> None:
    buffer: ContextBuffer[str] = ContextBuffer(ContextSpec(num_frames=2, spacing_s=0.5))
    buffer.push(S, "a")
    buffer.push(S + S // 2, "b")
    buffer.push(S + S // 2, "b2")
    buffer.push(0, "ancient")
    assert len(buffer) == 2
    assert buffer.require().frames == ("a", "b2")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_frames": 0, "spacing_s": 0.3}, "num_frames=0 must be an integer in [1, 64]"),
        ({"num_frames": 6, "spacing_s": -0.3}, "spacing_s=-0.3 must be in (0, 10]"),
        ({"num_frames": 6, "spacing_s": 0.3, "tolerance_s": 0.2}, "tolerance_s=0.2 must be in (0, spacing_s/2 = 0.15)"),
        ({"num_frames": 6, "spacing_s": 0.3, "max_age_s": 0.0}, "max_age_s=0.0 must be in (0, 60]"),
    ],
)
def test_spec_rejects_bad_values(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ContextConfigError) as caught:
        ContextSpec(**kwargs)  # type: ignore[arg-type]
    assert message in str(caught.value)
