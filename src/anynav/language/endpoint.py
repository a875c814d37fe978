"""Which VLA client a `server` URL names: tcp:// is NaVILA's own server, http(s)://.../v1 an OpenAI-compatible one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from anynav.language.clients import NavilaTcpClient, OpenAIChatClient
from anynav.language.config import NavilaTcpConfig, OpenAIChatConfig
from anynav.language.errors import LanguageConfigError

NAVILA_DEFAULT_PORT = 54321
"""The port NaVILA-Bench's scripts/vlm_server.py listens on by default."""

ALLOWED_FORMS = "tcp://host:port (NaVILA vlm_server.py) or http(s)://host:port/v1 (OpenAI-compatible)"


@dataclass(frozen=True)
class QuerySettings:
    """What the vla node's parameters say about every request, whichever the protocol.

    timeout_s, max_attempts, retry_backoff_s: one attempt's deadline, attempts per query and the
        pause between them (validated by the client configs).
    model, api_key, max_tokens, temperature: OpenAI-compatible servers only; an empty model or
        key is taken from the environment (see OpenAIChatConfig).
    """

    timeout_s: float = 5.0
    max_attempts: int = 2
    retry_backoff_s: float = 0.25
    model: str = ""
    api_key: str = ""
    max_tokens: int = 64
    temperature: float = 0.0


def describe_server(url: str) -> str:
    """The server URL without credentials, for logs and diagnostics."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def make_client(
    url: str, settings: QuerySettings, environ: Mapping[str, str] | None = None
) -> NavilaTcpClient | OpenAIChatClient:
    """The client for ``url``; a malformed URL is a LanguageConfigError naming the `server` parameter."""
    if not isinstance(url, str) or not url.strip():
        raise LanguageConfigError(f"server is empty: expected {ALLOWED_FORMS}")
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise LanguageConfigError(f"server={url!r}: {exc}; expected {ALLOWED_FORMS}") from None
    if parts.scheme not in ("tcp", "http", "https"):
        raise LanguageConfigError(f"server={url!r}: unknown scheme {parts.scheme!r}; expected {ALLOWED_FORMS}")
    if not parts.hostname:
        raise LanguageConfigError(f"server={url!r} names no host; expected {ALLOWED_FORMS}")
    if parts.scheme == "tcp":
        if parts.path not in ("", "/") or parts.query:
            raise LanguageConfigError(f"server={url!r}: a tcp:// server takes no path; expected tcp://host:port")
        return NavilaTcpClient(
            NavilaTcpConfig(
                host=parts.hostname,
                port=NAVILA_DEFAULT_PORT if port is None else port,
                timeout_s=settings.timeout_s,
                max_attempts=settings.max_attempts,
                retry_backoff_s=settings.retry_backoff_s,
            )
        )
    config = OpenAIChatConfig(
        base_url=url,
        model=settings.model,
        api_key=settings.api_key,
        timeout_s=settings.timeout_s,
        max_attempts=settings.max_attempts,
        retry_backoff_s=settings.retry_backoff_s,
        max_tokens=settings.max_tokens,
        temperature=settings.temperature,
    )
    return OpenAIChatClient(config, environ)
