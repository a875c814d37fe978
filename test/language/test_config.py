"""Configuration validation: bad values and unknown keys name the field."""

from __future__ import annotations

import math

import pytest

from anynav.language import (
    ExecutorConfig,
    FrameHistoryConfig,
    LanguageConfigError,
    NavilaTcpConfig,
    OpenAIChatConfig,
    ParserConfig,
    config_from_mapping,
    resolve_openai_config,
)


@pytest.mark.parametrize(
    ("cls", "field", "value"),
    [
        (ParserConfig, "max_distance_m", 0.0),
        (ParserConfig, "max_angle_rad", 7.0),
        (ParserConfig, "default_distance_m", 0.9),
        (ParserConfig, "snap_to_trained", 1),
        (FrameHistoryConfig, "frame_interval_s", -0.5),
        (FrameHistoryConfig, "num_frames", 1),
        (FrameHistoryConfig, "image_size", 4096),
        (FrameHistoryConfig, "jpeg_quality", 101),
        (ExecutorConfig, "forward_speed_mps", math.nan),
        (ExecutorConfig, "turn_rate_radps", 0.0),
        (ExecutorConfig, "timeout_factor", 0.5),
        (ExecutorConfig, "max_parse_failures", -1),
        (NavilaTcpConfig, "port", 70000),
        (NavilaTcpConfig, "timeout_s", 0.0),
        (NavilaTcpConfig, "max_attempts", 0),
        (OpenAIChatConfig, "base_url", "ftp://host/v1"),
        (OpenAIChatConfig, "temperature", 3.0),
        (OpenAIChatConfig, "max_tokens", 0),
    ],
)
def test_bad_value_names_the_field(cls: type, field: str, value: object) -> None:
    with pytest.raises(LanguageConfigError, match=f"{cls.__name__}.{field}="):
        cls(**{field: value})


def test_defaults_are_navilas() -> None:
    executor = ExecutorConfig()
    assert (executor.forward_speed_mps, executor.turn_rate_radps) == (0.5, pytest.approx(math.pi / 6))
    history = FrameHistoryConfig()
    assert (history.frame_interval_s, history.num_frames, history.image_size) == (0.5, 8, 384)
    assert NavilaTcpConfig().port == 54321


def test_mapping_with_unknown_key_names_key_and_source() -> None:
    with pytest.raises(LanguageConfigError, match=r"go2\.yaml: unknown key\(s\) speed for ExecutorConfig"):
        config_from_mapping(ExecutorConfig, {"speed": 1.0}, "go2.yaml")


def test_mapping_with_bad_value_names_source() -> None:
    with pytest.raises(LanguageConfigError, match=r"go2\.yaml: ExecutorConfig.forward_speed_mps"):
        config_from_mapping(ExecutorConfig, {"forward_speed_mps": 9.0}, "go2.yaml")


def test_mapping_builds_the_config() -> None:
    config = config_from_mapping(NavilaTcpConfig, {"host": "gpu-box", "port": 5000}, "test")
    assert (config.host, config.port, config.timeout_s) == ("gpu-box", 5000, 5.0)


def test_openai_settings_come_from_the_environment() -> None:
    env = {
        "ANYNAV_VLA_BASE_URL": "http://gpu:8000/v1",
        "ANYNAV_VLA_MODEL": "navila",
        "ANYNAV_VLA_API_KEY": "secret-a",
        "OPENAI_API_KEY": "secret-b",
    }
    resolved = resolve_openai_config(OpenAIChatConfig(), env)
    assert (resolved.base_url, resolved.model, resolved.api_key) == ("http://gpu:8000/v1", "navila", "secret-a")
    fallback = resolve_openai_config(
        OpenAIChatConfig(base_url="http://x/v1", model="m"), {"OPENAI_API_KEY": "secret-b"}
    )
    assert fallback.api_key == "secret-b"
    explicit = resolve_openai_config(OpenAIChatConfig(base_url="http://x/v1", model="m", api_key="mine"), env)
    assert explicit.api_key == "mine"
    assert "secret" not in repr(resolved)


def test_missing_openai_url_or_model_is_an_error() -> None:
    with pytest.raises(LanguageConfigError, match="ANYNAV_VLA_BASE_URL"):
        resolve_openai_config(OpenAIChatConfig(), {})
    with pytest.raises(LanguageConfigError, match="ANYNAV_VLA_MODEL"):
        resolve_openai_config(OpenAIChatConfig(base_url="http://x/v1"), {})
