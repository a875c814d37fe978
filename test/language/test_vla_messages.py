"""The JSON exchanged on /vla/query and /vla/action, and the `server` URL of the vla node."""

from __future__ import annotations

import json
import math
import re

import pytest

from anynav.language import Action, ActionKind, NavilaTcpClient, OpenAIChatClient, ParserConfig, parse_reply
from anynav.language.endpoint import QuerySettings, describe_server, make_client
from anynav.language.errors import LanguageConfigError, ProtocolError
from anynav.language.vla_messages import EXACT_PARSER, ActionMessage, QueryMessage, canonical_reply

MAGNITUDES = {
    ActionKind.FORWARD: [0.001, 0.25, 1.0 / 3.0, 0.75, 5.0],
    ActionKind.BACKWARD: [0.25, 2.5],
    ActionKind.TURN_LEFT: [0.01, math.radians(15.0), math.radians(45.0), math.pi, 2.0 * math.pi],
    ActionKind.TURN_RIGHT: [math.radians(30.0), 1.0],
    ActionKind.STOP: [0.0],
}


@pytest.mark.parametrize(("kind", "magnitude"), [(k, m) for k, ms in MAGNITUDES.items() for m in ms])
def test_canonical_reply_parses_back_to_the_same_action(kind: ActionKind, magnitude: float) -> None:
    parsed = parse_reply(canonical_reply(Action(kind, magnitude, "whatever the VLA said", magnitude)), EXACT_PARSER)
    assert isinstance(parsed, Action) and parsed.kind is kind
    assert parsed.magnitude == pytest.approx(magnitude, abs=1e-8)


@pytest.mark.parametrize(
    "reply",
    [
        "The next action is move forward 75 cm.",
        "The next action is turn right 30 degree.",
        "I think I should stop because I have finished the instruction.",
        "Action: rotate 2 radians to the left",
    ],
)
def test_action_message_round_trip(reply: str) -> None:
    action = parse_reply(reply, ParserConfig(snap_to_trained=False, max_distance_m=2.0, max_angle_rad=3.0))
    message = ActionMessage("s1", 2, 7, "go to the door", reply, None, action, None, 0.4321, 1)
    back = ActionMessage.from_json(message.to_json())
    assert back == message
    data = json.loads(message.to_json())
    assert data["ok"] is True and data["text"] == reply and data["instruction"] == "go to the door"
    assert data["action"]["describe"] == action.describe()


def test_failed_and_actionless_answers_round_trip() -> None:
    failed = ActionMessage("s", 1, 3, "go", None, "no reply from 127.0.0.1:1 within 5 s", None, None, 10.25, 2)
    assert ActionMessage.from_json(failed.to_json()) == failed and not failed.ok
    empty = ActionMessage("s", 1, 4, "go", "Nice hallway.", None, None, "no action found", 0.3, 1)
    assert ActionMessage.from_json(empty.to_json()) == empty and empty.ok
    query = QueryMessage("s", 1, 4, "walk to the bench")
    assert QueryMessage.from_json(query.to_json()) == query


GOOD = ActionMessage(
    "s", 1, 3, "go", "move forward 50 cm", None, parse_reply("move forward 50 cm"), None, 0.1, 1
).to_json()


def _edit(**changes: object) -> str:
    data = json.loads(GOOD)
    data.update(changes)
    return json.dumps(data)


def _edit_action(**changes: object) -> str:
    data = json.loads(GOOD)
    data["action"].update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        (_edit(session=5), "field 'session' is int"),
        (_edit(request_id=-1), "outside [0, 2^53]"),
        (_edit(request_id=True), "is a boolean"),
        (_edit(text=None), "exactly one of 'text' and 'error'"),
        (_edit(error="boom"), "exactly one of 'text' and 'error'"),
        (_edit(action=None), "exactly one of 'action' and 'parse_error'"),
        (_edit(latency_s=float("nan")), "latency_s"),
        (_edit_action(kind="jump"), "unknown action kind 'jump'"),
        (_edit_action(magnitude=6.0), "magnitude 6.0 outside (0, 5]"),
        (_edit_action(magnitude=0.0), "outside (0, 5]"),
        (_edit_action(magnitude=float("inf")), "outside"),
        (_edit_action(notes="x"), "'notes' must be a list of strings"),
        (_edit(error="boom", text=None), "a failed query carries no action"),
    ],
)
def test_malformed_answers_are_rejected_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=re.escape(message)):
        ActionMessage.from_json(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"session": "s", "episode": 1, "request_id": 2}',
        '{"session": "s", "episode": 1, "request_id": 2, "instruction": " "}',
    ],
)
def test_malformed_queries_are_rejected(text: str) -> None:
    with pytest.raises(ProtocolError, match="instruction"):
        QueryMessage.from_json(text)


def test_tcp_server_url_makes_a_navila_client() -> None:
    client = make_client("tcp://gpu-box:6000", QuerySettings(timeout_s=2.0, max_attempts=3, retry_backoff_s=0.1))
    assert isinstance(client, NavilaTcpClient)
    assert (client.config.host, client.config.port, client.config.timeout_s, client.config.max_attempts) == (
        "gpu-box",
        6000,
        2.0,
        3,
    )
    assert make_client("tcp://10.0.0.5", QuerySettings()).config.port == 54321


def test_http_server_url_makes_an_openai_client_with_keys_from_the_environment() -> None:
    environ = {"OPENAI_API_KEY": "sk-env", "ANYNAV_VLA_MODEL": "navila-8b"}
    client = make_client("https://vllm.lab:8443/v1", QuerySettings(max_tokens=32), environ)
    assert isinstance(client, OpenAIChatClient)
    assert client.config.base_url == "https://vllm.lab:8443/v1" and client.config.model == "navila-8b"
    assert client.config.api_key == "sk-env" and client.config.max_tokens == 32
    explicit = make_client("http://h:8000/v1", QuerySettings(model="m", api_key="sk-param"), environ)
    assert explicit.config.api_key == "sk-param" and explicit.config.model == "m"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "server is empty"),
        ("gpu-box:54321", "unknown scheme 'gpu-box'"),
        ("udp://gpu-box:54321", "unknown scheme 'udp'"),
        ("tcp://:54321", "names no host"),
        ("tcp://gpu-box:54321/v1", "takes no path"),
        ("tcp://gpu-box:99999", "Port out of range"),
        ("http://gpu-box:8000/v1", "model is empty"),
    ],
)
def test_bad_server_urls_name_the_parameter(url: str, message: str) -> None:
    with pytest.raises(LanguageConfigError, match=message):
        make_client(url, QuerySettings(), environ={})


def test_described_server_hides_credentials() -> None:
    assert describe_server("https://user:secret@vllm.lab:8443/v1") == "https://vllm.lab:8443/v1"
