"""`anynav topic list | echo | pub | hz | info`: ros2 topic for machines without ROS 2 (dds backend)."""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import deque
from typing import Any

import yaml

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.typestore import require_type
from anynav.ros.dds.context import default_context
from anynav.ros.dds.executor import SingleThreadedExecutor
from anynav.ros.dds.graph import Endpoint, Graph
from anynav.ros.dds.node import Node, deserialize
from anynav.ros.errors import RosError
from anynav.ros.messages import message_class, message_to_dict, new_message
from anynav.ros.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

DISCOVERY_S = 1.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="topic_command", required=True)

    p = sub.add_parser("list", help="list the ROS 2 topics on the domain")
    p.add_argument("-t", "--show-types", action="store_true", help="show each topic's message type")
    p.add_argument("--spin-time", type=float, default=DISCOVERY_S, help="seconds to wait for discovery")

    p = sub.add_parser("info", help="type, publishers and subscribers of a topic")
    p.add_argument("topic")
    p.add_argument("-v", "--verbose", action="store_true", help="list every endpoint with its QoS")
    p.add_argument("--spin-time", type=float, default=DISCOVERY_S)

    p = sub.add_parser("echo", help="print messages as YAML")
    p.add_argument("topic")
    p.add_argument("message_type", nargs="?", help="e.g. geometry_msgs/msg/Twist (discovered if omitted)")
    p.add_argument("--once", action="store_true", help="print one message and exit")
    p.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    p.add_argument("--truncate-length", type=int, default=128, help="cut arrays and strings longer than this")
    p.add_argument("--full-length", action="store_true", help="never cut arrays or strings")
    _add_qos_arguments(p)

    p = sub.add_parser("pub", help="publish a message given as YAML")
    p.add_argument("topic")
    p.add_argument("message_type")
    p.add_argument("values", nargs="?", default="{}", help="YAML, e.g. '{linear: {x: 0.5}}'")
    p.add_argument("-r", "--rate", type=float, default=1.0, help="publishing rate in Hz")
    p.add_argument("-1", "--once", action="store_true", help="publish one message and exit")
    p.add_argument("-t", "--times", type=int, default=0, help="publish this many messages and exit")
    p.add_argument(
        "-w",
        "--wait-matching-subscriptions",
        type=float,
        default=2.0,
        help="seconds to wait for a subscriber before the first message",
    )
    _add_qos_arguments(p)

    p = sub.add_parser("hz", help="print the average publishing rate")
    p.add_argument("topic")
    p.add_argument("message_type", nargs="?")
    p.add_argument("-w", "--window", type=int, default=10000, help="number of messages in the rate window")
    p.add_argument("--timeout", type=float, default=None, help="stop after this many seconds")
    _add_qos_arguments(p)


def _add_qos_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--qos-reliability", choices=["reliable", "best_effort"], help="default: what the publishers offer")
    p.add_argument(
        "--qos-durability", choices=["volatile", "transient_local"], help="default: what the publishers offer"
    )
    p.add_argument("--qos-depth", type=int, default=10)


def run(args: argparse.Namespace) -> int:
    default_context.init([])
    try:
        return {"list": _list, "info": _info, "echo": _echo, "pub": _pub, "hz": _hz}[args.topic_command](args)
    except (RosError, MalformedMessageError, ValueError, TypeError) as exc:
        print(f"anynav topic {args.topic_command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:  # `anynav topic echo ... | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        default_context.shutdown()


def _normalize_type(name: str) -> str:
    parts = name.split("/")
    full = f"{parts[0]}/msg/{parts[1]}" if len(parts) == 2 else name
    require_type(full)
    return full


def _list(args: argparse.Namespace) -> int:
    endpoints = Graph(default_context.participant()).wait(args.spin_time)
    topics: dict[str, set[str]] = {}
    for e in endpoints:
        topics.setdefault(e.topic, set()).add(e.msgtype or e.dds_type)
    for topic in sorted(topics):
        print(f"{topic} [{', '.join(sorted(topics[topic]))}]" if args.show_types else topic)
    return 0


def _info(args: argparse.Namespace) -> int:
    endpoints = [e for e in Graph(default_context.participant()).wait(args.spin_time) if e.topic == args.topic]
    types = sorted({e.msgtype or e.dds_type for e in endpoints})
    print(f"Type: {', '.join(types) if types else '(unknown: no endpoints seen)'}")
    for kind in ("publisher", "subscriber"):
        mine = [e for e in endpoints if e.kind == kind]
        print(f"{kind.capitalize()} count: {len(mine)}")
        if args.verbose:
            for e in mine:
                q = e.qos
                print(
                    f"  participant {e.participant}: {q.reliability.value}, {q.durability.value}, "
                    f"{q.history.value} depth {q.depth}"
                )
    return 0


def _resolve_endpoint_type(topic: str, given: str | None, wait_s: float) -> tuple[str, list[Endpoint]]:
    endpoints = Graph(default_context.participant()).wait_for_topic(topic, wait_s)
    if given:
        return _normalize_type(given), endpoints
    types = {e.msgtype for e in endpoints if e.msgtype}
    if not types:
        raise RosError(f"no publisher of {topic} seen within {wait_s:.1f} s: give the message type explicitly")
    if len(types) > 1:
        raise RosError(f"{topic} carries several types {sorted(types)}: give the one you want")
    return _normalize_type(types.pop()), endpoints


def _qos(args: argparse.Namespace, endpoints: list[Endpoint]) -> QoSProfile:
    """Match what the publishers offer (as `ros2 topic echo` does) unless the user chose."""
    pubs = [e for e in endpoints if e.kind == "publisher"]
    if args.qos_reliability:
        reliability = ReliabilityPolicy(args.qos_reliability)
    elif pubs and any(e.qos.reliability is ReliabilityPolicy.BEST_EFFORT for e in pubs):
        reliability = ReliabilityPolicy.BEST_EFFORT
    else:
        reliability = ReliabilityPolicy.RELIABLE
    if args.qos_durability:
        durability = DurabilityPolicy(args.qos_durability)
    elif pubs and all(e.qos.durability is DurabilityPolicy.TRANSIENT_LOCAL for e in pubs):
        durability = DurabilityPolicy.TRANSIENT_LOCAL
    else:
        durability = DurabilityPolicy.VOLATILE
    return QoSProfile(depth=args.qos_depth, reliability=reliability, durability=durability)


def _tool_node(kind: str) -> Node:
    return Node(f"_anynav_topic_{kind}")


def _spin_until_done(node: Node, done: Any, timeout: float | None) -> None:
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    deadline = None if timeout is None else time.monotonic() + timeout
    while default_context.ok() and not done():
        if deadline is not None and time.monotonic() >= deadline:
            break
        executor.spin_once(0.1)


def _echo(args: argparse.Namespace) -> int:
    msgtype, endpoints = _resolve_endpoint_type(args.topic, args.message_type, DISCOVERY_S)
    truncate = None if args.full_length else args.truncate_length
    node = _tool_node("echo")
    received = 0

    def on_message(data: bytes) -> None:
        nonlocal received
        try:
            msg = deserialize(data, msgtype)
        except MalformedMessageError as exc:
            print(f"# dropped malformed message: {exc}", file=sys.stderr)
            return
        if args.once and received:
            return
        received += 1
        sys.stdout.write(yaml.safe_dump(message_to_dict(msg, msgtype, truncate), sort_keys=False))
        sys.stdout.write("---\n")
        sys.stdout.flush()

    node.create_subscription(message_class(msgtype), args.topic, on_message, _qos(args, endpoints), raw=True)
    _spin_until_done(node, lambda: args.once and received > 0, args.timeout)
    return 0 if received or not args.once else 1


def _pub(args: argparse.Namespace) -> int:
    msgtype = _normalize_type(args.message_type)
    values = yaml.safe_load(args.values) if args.values else {}
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValueError(f"message values must be a YAML mapping, got {args.values!r}")
    msg = new_message(msgtype, **values)
    if not args.rate > 0:
        raise ValueError(f"--rate must be > 0, got {args.rate}")
    node = _tool_node("pub")
    pub = node.create_publisher(message_class(msgtype), args.topic, _qos(args, []))
    deadline = time.monotonic() + args.wait_matching_subscriptions
    while pub.get_subscription_count() == 0 and time.monotonic() < deadline and default_context.ok():
        time.sleep(0.02)
    count = 1 if args.once else args.times
    published = 0
    next_time = time.monotonic()
    while default_context.ok() and (count == 0 or published < count):
        pub.publish(msg)
        published += 1
        print(f"publishing #{published}: {message_to_dict(msg, msgtype, 16)}")
        next_time += 1.0 / args.rate
        if count and published >= count:
            break
        time.sleep(max(0.0, next_time - time.monotonic()))
    time.sleep(0.3)  # let reliable delivery finish before the writer goes away
    return 0


def _hz(args: argparse.Namespace) -> int:
    msgtype, endpoints = _resolve_endpoint_type(args.topic, args.message_type, DISCOVERY_S)
    node = _tool_node("hz")
    stamps: deque[float] = deque(maxlen=args.window)
    last_print = time.monotonic()

    def on_message(_data: bytes) -> None:
        stamps.append(time.monotonic())

    node.create_subscription(message_class(msgtype), args.topic, on_message, _qos(args, endpoints), raw=True)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    while default_context.ok() and (deadline is None or time.monotonic() < deadline):
        executor.spin_once(0.1)
        if time.monotonic() - last_print >= 1.0:
            last_print = time.monotonic()
            print(format_rate(list(stamps)))
            sys.stdout.flush()
    return 0


def format_rate(stamps: list[float]) -> str:
    """ros2 topic hz's report: average rate, min/max period, std dev, window size."""
    if len(stamps) < 2:
        return "no new messages"
    periods = [b - a for a, b in zip(stamps, stamps[1:])]
    mean = statistics.fmean(periods)
    std = statistics.pstdev(periods) if len(periods) > 1 else 0.0
    rate = 1.0 / mean if mean > 0 else math.inf
    return (
        f"average rate: {rate:.3f}\n\tmin: {min(periods):.3f}s max: {max(periods):.3f}s "
        f"std dev: {std:.5f}s window: {len(stamps)}"
    )
