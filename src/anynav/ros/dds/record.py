"""Raw samples of every (or every chosen) ROS 2 topic on the domain, for the bag recorder."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from cyclonedds.core import WaitSet
from cyclonedds.util import duration

from anynav.msgs.typestore import has_type, typestore
from anynav.ros.dds.context import default_context
from anynav.ros.dds.graph import Endpoint, Graph
from anynav.ros.dds.node import Node, Subscription
from anynav.ros.log import Logger
from anynav.ros.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

DISCOVERY_PERIOD_S = 0.5
RECORD_DEPTH = 100


@dataclass(frozen=True)
class ReceivedSample:
    topic: str
    msgtype: str
    qos: QoSProfile  # what the publishers offer
    recv_ns: int  # wall clock, as rosbag2 stamps received messages
    data: bytes  # CDR with its 4-byte encapsulation header


def recording_qos(publishers: list[Endpoint]) -> QoSProfile:
    """Request what every publisher can serve: best effort if any offers only that, latched if all are."""
    best_effort = any(p.qos.reliability is ReliabilityPolicy.BEST_EFFORT for p in publishers)
    latched = bool(publishers) and all(p.qos.durability is DurabilityPolicy.TRANSIENT_LOCAL for p in publishers)
    return QoSProfile(
        depth=RECORD_DEPTH,
        reliability=ReliabilityPolicy.BEST_EFFORT if best_effort else ReliabilityPolicy.RELIABLE,
        durability=DurabilityPolicy.TRANSIENT_LOCAL if latched else DurabilityPolicy.VOLATILE,
    )


def record_source(topics: list[str] | None, exclude: str | None) -> Iterator[ReceivedSample]:
    """Yield samples until the context shuts down; topics that appear later are picked up too.

    ``topics`` None means every topic; ``exclude`` is a regular expression on topic names.
    """
    if not default_context.ok():
        default_context.init([])
    log = Logger("anynav_record")
    node = Node("_anynav_record")
    graph = Graph(node.participant, include_own=True)
    waitset = WaitSet(node.participant)
    wanted = {t if t.startswith("/") else "/" + t for t in topics} if topics else None
    skip = re.compile(exclude) if exclude else None
    subscriptions: dict[tuple[str, str], tuple[Subscription, QoSProfile]] = {}
    warned: set[tuple[str, str]] = set()
    next_discovery = 0.0
    while default_context.ok():
        if time.monotonic() >= next_discovery:
            next_discovery = time.monotonic() + DISCOVERY_PERIOD_S
            publishers: dict[tuple[str, str], list[Endpoint]] = {}
            for e in graph.refresh():
                if e.kind == "publisher" and e.msgtype:
                    publishers.setdefault((e.topic, e.msgtype), []).append(e)
            for (topic, msgtype), pubs in publishers.items():
                if (topic, msgtype) in subscriptions or (wanted is not None and topic not in wanted):
                    continue
                if skip is not None and skip.search(topic):
                    continue
                if not has_type(msgtype):
                    if (topic, msgtype) not in warned:
                        warned.add((topic, msgtype))
                        log.warn(f"not recording {topic}: type {msgtype} is not in the typestore")
                    continue
                qos = recording_qos(pubs)
                sub = node.create_subscription(typestore().types[msgtype], topic, lambda _d: None, qos, raw=True)
                waitset.attach(sub.condition)
                subscriptions[(topic, msgtype)] = (sub, pubs[0].qos)
                log.info(f"recording {topic} [{msgtype}]")
        waitset.wait(duration(milliseconds=100))
        for (topic, msgtype), (sub, offered) in list(subscriptions.items()):
            for data, _info in sub.take():
                yield ReceivedSample(topic, msgtype, offered, time.time_ns(), bytes(data))
