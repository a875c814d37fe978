"""Validated configuration of the language-action stack: parser, frame history, executor, VLA clients."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from anynav.language.errors import LanguageConfigError
from anynav.language.prompt import SYSTEM_PROMPT

C = TypeVar("C")

TRAINED_DISTANCES_M = (0.25, 0.50, 0.75)
"""Forward distances NaVILA was trained to emit (R2R labels: 25, 50, 75 cm)."""

TRAINED_ANGLES_RAD = (math.radians(15.0), math.radians(30.0), math.radians(45.0))
"""Turn angles NaVILA was trained to emit (R2R labels: 15, 30, 45 degree)."""

API_KEY_ENV = ("ANYNAV_VLA_API_KEY", "OPENAI_API_KEY")
BASE_URL_ENV = ("ANYNAV_VLA_BASE_URL", "OPENAI_BASE_URL")
MODEL_ENV = ("ANYNAV_VLA_MODEL",)


def _check_number(owner: str, name: str, value: object, low: float, high: float, *, low_open: bool = False) -> None:
    """Reject anything but a finite number in [low, high] (or (low, high]), naming the field."""
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (low < value if low_open else low <= value)
        and value <= high
    )
    if not ok:
        bracket = "(" if low_open else "["
        raise LanguageConfigError(f"{owner}.{name}={value!r}: expected a number in {bracket}{low}, {high}]")


def _check_int(owner: str, name: str, value: object, low: int, high: int) -> None:
    """Reject anything but an int in [low, high], naming the field."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise LanguageConfigError(f"{owner}.{name}={value!r}: expected an integer in [{low}, {high}]")


def _check_bool(owner: str, name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise LanguageConfigError(f"{owner}.{name}={value!r}: expected true or false")


def _check_timing(owner: str, timeout_s: float, max_attempts: int, retry_backoff_s: float, max_reply: int) -> None:
    _check_number(owner, "timeout_s", timeout_s, 0.0, 600.0, low_open=True)
    _check_int(owner, "max_attempts", max_attempts, 1, 10)
    _check_number(owner, "retry_backoff_s", retry_backoff_s, 0.0, 60.0)
    _check_int(owner, "max_reply_bytes", max_reply, 1024, 64 * 1024 * 1024)


@dataclass(frozen=True)
class ParserConfig:
    """How a VLA reply becomes an action.

    snap_to_trained: snap distances to 25/50/75 cm and angles to 15/30/45 degrees (the only
        magnitudes NaVILA was trained on; larger requests become the largest, the robot then asks
        again). When false, magnitudes are kept but clipped to the maxima below.
    max_distance_m: longest forward/backward segment when not snapping, (0, 5] m.
    max_angle_rad: largest turn when not snapping, (0, 2π] rad.
    allow_backward: accept "move back(ward) N cm". Off by default: the camera looks forward, so a
        backward step is blind, and NaVILA never emits one.
    default_distance_m: distance used when a reply says "move forward" without a number (NaVILA's
        evaluator uses one 25 cm primitive), (0, max_distance_m]; 0 makes such replies unparseable.
    default_angle_rad: angle used for "turn left" without a number (15 degrees), 0 to reject them.
    """

    snap_to_trained: bool = True
    max_distance_m: float = 0.75
    max_angle_rad: float = math.radians(45.0)
    allow_backward: bool = False
    default_distance_m: float = 0.25
    default_angle_rad: float = math.radians(15.0)

    def __post_init__(self) -> None:
        owner = type(self).__name__
        _check_bool(owner, "snap_to_trained", self.snap_to_trained)
        _check_bool(owner, "allow_backward", self.allow_backward)
        _check_number(owner, "max_distance_m", self.max_distance_m, 0.0, 5.0, low_open=True)
        _check_number(owner, "max_angle_rad", self.max_angle_rad, 0.0, 2.0 * math.pi, low_open=True)
        _check_number(owner, "default_distance_m", self.default_distance_m, 0.0, self.max_distance_m)
        _check_number(owner, "default_angle_rad", self.default_angle_rad, 0.0, self.max_angle_rad)


@dataclass(frozen=True)
class FrameHistoryConfig:
    """Which camera frames are kept for the VLA, and how they are sent.

    NaVILA saw one frame per 0.5 s of motion at 0.5 m/s and 30 deg/s, i.e. one frame per 25 cm or
    15 degrees. With odometry a frame is kept once distance/frame_distance_m + |yaw|/frame_angle_rad
    since the last kept frame reaches 1; without odometry once frame_interval_s of time has passed
    while the robot was commanded to move. Standing still adds nothing.

    frame_interval_s: seconds of motion per frame without odometry, (0, 10].
    frame_distance_m: metres of travel per frame with odometry, (0, 5].
    frame_angle_rad: radians of rotation per frame with odometry, (0, π].
    num_frames: frames sent per query (7 history + current for NaVILA-8f), [2, 64].
    image_size: frames are stretched (not cropped) to image_size × image_size, [32, 2048].
    jpeg_quality: JPEG quality of the stored and sent frames, [10, 100] (75: what NaVILA-Bench's
        client sends, PIL's default).
    max_frames: history length at which every second frame is dropped, [16, 100000]; R2R episodes
        reach 501 frames, and 1024 frames of 384² JPEG take about 25 MB.
    """

    frame_interval_s: float = 0.5
    frame_distance_m: float = 0.25
    frame_angle_rad: float = math.radians(15.0)
    num_frames: int = 8
    image_size: int = 384
    jpeg_quality: int = 75
    max_frames: int = 1024

    def __post_init__(self) -> None:
        owner = type(self).__name__
        _check_number(owner, "frame_interval_s", self.frame_interval_s, 0.0, 10.0, low_open=True)
        _check_number(owner, "frame_distance_m", self.frame_distance_m, 0.0, 5.0, low_open=True)
        _check_number(owner, "frame_angle_rad", self.frame_angle_rad, 0.0, math.pi, low_open=True)
        _check_int(owner, "num_frames", self.num_frames, 2, 64)
        _check_int(owner, "image_size", self.image_size, 32, 2048)
        _check_int(owner, "jpeg_quality", self.jpeg_quality, 10, 100)
        _check_int(owner, "max_frames", self.max_frames, 16, 100_000)


@dataclass(frozen=True)
class ExecutorConfig:
    """How actions become velocity segments, per robot.

    forward_speed_mps: |vx| of forward/backward segments, (0, 2] m/s (NaVILA: 0.5).
    turn_rate_radps: |wz| of turns, (0, 4] rad/s (NaVILA: π/6).
    closed_loop: end a segment early when odometry shows the distance or angle reached.
    timeout_factor: a closed-loop segment ends at this multiple of its nominal duration even if
        odometry never shows the target, [1, 5].
    query_timeout_s: the executor gives up (FAILED, zero velocity) when no reply arrives within
        this time of asking; keep it above the client's worst case, (0, 600] s.
    max_parse_failures: consecutive unparseable replies re-queried before giving up, [0, 100].
    """

    forward_speed_mps: float = 0.5
    turn_rate_radps: float = math.pi / 6.0
    closed_loop: bool = True
    timeout_factor: float = 1.5
    query_timeout_s: float = 30.0
    max_parse_failures: int = 3

    def __post_init__(self) -> None:
        owner = type(self).__name__
        _check_number(owner, "forward_speed_mps", self.forward_speed_mps, 0.0, 2.0, low_open=True)
        _check_number(owner, "turn_rate_radps", self.turn_rate_radps, 0.0, 4.0, low_open=True)
        _check_bool(owner, "closed_loop", self.closed_loop)
        _check_number(owner, "timeout_factor", self.timeout_factor, 1.0, 5.0)
        _check_number(owner, "query_timeout_s", self.query_timeout_s, 0.0, 600.0, low_open=True)
        _check_int(owner, "max_parse_failures", self.max_parse_failures, 0, 100)


@dataclass(frozen=True)
class NavilaTcpConfig:
    """NaVILA's own VLM server (NaVILA-Bench scripts/vlm_server.py): one request per TCP connection.

    host, port: where the server listens (its CLI default port is 54321).
    timeout_s: deadline of one attempt (connect + send + generation + receive), (0, 600] s.
    max_attempts: attempts per query; transport failures (refused, reset, timeout) are retried, [1, 10].
    retry_backoff_s: pause between attempts, [0, 60] s.
    max_reply_bytes: replies announcing more are rejected, [1 KiB, 64 MiB].
    """

    host: str = "127.0.0.1"
    port: int = 54321
    timeout_s: float = 5.0
    max_attempts: int = 2
    retry_backoff_s: float = 0.25
    max_reply_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.host, str) or not self.host.strip():
            raise LanguageConfigError(f"{owner}.host={self.host!r}: expected a host name or address")
        _check_int(owner, "port", self.port, 1, 65535)
        _check_timing(owner, self.timeout_s, self.max_attempts, self.retry_backoff_s, self.max_reply_bytes)

    @property
    def worst_case_s(self) -> float:
        """Longest a query can take before the client reports failure."""
        return self.max_attempts * self.timeout_s + (self.max_attempts - 1) * self.retry_backoff_s


@dataclass(frozen=True)
class OpenAIChatConfig:
    """An OpenAI-compatible chat-completions server (vLLM, SGLang, llama.cpp, LM Studio, OpenAI...).

    base_url: e.g. http://gpu-box:8000/v1; empty takes $ANYNAV_VLA_BASE_URL, then $OPENAI_BASE_URL.
    model: the served model name; empty takes $ANYNAV_VLA_MODEL.
    api_key: bearer token; empty takes $ANYNAV_VLA_API_KEY, then $OPENAI_API_KEY; may stay empty
        for local servers. Never printed (repr hides it).
    timeout_s, max_attempts, retry_backoff_s, max_reply_bytes: as NavilaTcpConfig; HTTP 429 and
        5xx are retried as transport failures, other HTTP errors are not.
    max_tokens: generation limit, [1, 4096]; NaVILA's answers are about 12 tokens.
    temperature: [0, 2]; NaVILA decodes greedily (0).
    system_prompt: NaVILA's (VILA llama_3 template) by default.
    """

    base_url: str = ""
    model: str = ""
    api_key: str = field(default="", repr=False)
    timeout_s: float = 15.0
    max_attempts: int = 2
    retry_backoff_s: float = 0.25
    max_reply_bytes: int = 1024 * 1024
    max_tokens: int = 64
    temperature: float = 0.0
    system_prompt: str = SYSTEM_PROMPT

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for name in ("base_url", "model", "api_key", "system_prompt"):
            if not isinstance(getattr(self, name), str):
                raise LanguageConfigError(f"{owner}.{name}: expected a string")
        if self.base_url:
            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise LanguageConfigError(f"{owner}.base_url={self.base_url!r}: expected http(s)://host[:port][/path]")
        _check_timing(owner, self.timeout_s, self.max_attempts, self.retry_backoff_s, self.max_reply_bytes)
        _check_int(owner, "max_tokens", self.max_tokens, 1, 4096)
        _check_number(owner, "temperature", self.temperature, 0.0, 2.0)

    @property
    def worst_case_s(self) -> float:
        """Longest a query can take before the client reports failure."""
        return self.max_attempts * self.timeout_s + (self.max_attempts - 1) * self.retry_backoff_s


def _first_env(environ: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return ""


def resolve_openai_config(config: OpenAIChatConfig, environ: Mapping[str, str] | None = None) -> OpenAIChatConfig:
    """Fill empty base_url, model and api_key from the environment; a missing URL or model is an error."""
    env = os.environ if environ is None else environ
    resolved = dataclasses.replace(
        config,
        base_url=config.base_url or _first_env(env, BASE_URL_ENV),
        model=config.model or _first_env(env, MODEL_ENV),
        api_key=config.api_key or _first_env(env, API_KEY_ENV),
    )
    if not resolved.base_url:
        raise LanguageConfigError(f"OpenAIChatConfig.base_url is empty and none of ${', $'.join(BASE_URL_ENV)} is set")
    if not resolved.model:
        raise LanguageConfigError(f"OpenAIChatConfig.model is empty and ${MODEL_ENV[0]} is not set")
    return resolved


def config_from_mapping(cls: type[C], data: object, source: str) -> C:
    """Build a config dataclass from a mapping (a YAML section, node parameters).

    Unknown keys are an error naming the key and ``source``; missing keys take the defaults.
    """
    if not isinstance(data, Mapping):
        raise LanguageConfigError(f"{source}: {cls.__name__} must be a mapping, got {type(data).__name__}")
    known = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise LanguageConfigError(
            f"{source}: unknown key(s) {', '.join(unknown)} for {cls.__name__}; known: {', '.join(known)}"
        )
    try:
        return cls(**dict(data))
    except LanguageConfigError as exc:
        raise LanguageConfigError(f"{source}: {exc}") from None
