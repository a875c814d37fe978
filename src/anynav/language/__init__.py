"""Language actions: NaVILA-style VLA clients, the reply parser, the frame history and the action executor."""

from __future__ import annotations

from anynav.language.actions import Action, ActionKind, ParseFailure, ParseResult
from anynav.language.clients import Attempt, NavilaTcpClient, OpenAIChatClient, QueryResult, VlaClient
from anynav.language.config import (
    ExecutorConfig,
    FrameHistoryConfig,
    NavilaTcpConfig,
    OpenAIChatConfig,
    ParserConfig,
    config_from_mapping,
    resolve_openai_config,
)
from anynav.language.errors import (
    FrameError,
    InstructionError,
    LanguageConfigError,
    LanguageError,
    ProtocolError,
)
from anynav.language.executor import (
    ActionExecutor,
    ExecutorOutput,
    ExecutorState,
    QueryRequest,
    Segment,
    segment_for,
    watchdog_expired,
)
from anynav.language.history import FrameHistory, encode_frame
from anynav.language.motion import ZERO_VELOCITY, Pose2D, Velocity
from anynav.language.parser import parse_reply
from anynav.language.prompt import SYSTEM_PROMPT, navigation_prompt, normalise_instruction
from anynav.language.runner import QueryRunner

__all__ = [
    "SYSTEM_PROMPT",
    "ZERO_VELOCITY",
    "Action",
    "ActionExecutor",
    "ActionKind",
    "Attempt",
    "ExecutorConfig",
    "ExecutorOutput",
    "ExecutorState",
    "FrameError",
    "FrameHistory",
    "FrameHistoryConfig",
    "InstructionError",
    "LanguageConfigError",
    "LanguageError",
    "NavilaTcpClient",
    "NavilaTcpConfig",
    "OpenAIChatClient",
    "OpenAIChatConfig",
    "ParseFailure",
    "ParseResult",
    "ParserConfig",
    "Pose2D",
    "ProtocolError",
    "QueryRequest",
    "QueryResult",
    "QueryRunner",
    "Segment",
    "Velocity",
    "VlaClient",
    "config_from_mapping",
    "encode_frame",
    "navigation_prompt",
    "normalise_instruction",
    "parse_reply",
    "resolve_openai_config",
    "segment_for",
    "watchdog_expired",
]
