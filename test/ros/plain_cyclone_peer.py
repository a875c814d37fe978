"""A plain Cyclone DDS program with ROS 2 types declared by hand: the peer anynav must interoperate with.

No `from __future__ import annotations` here: cyclonedds resolves the field annotations at class creation.

Run as a script: `plain_cyclone_peer.py read TOPIC COUNT TIMEOUT` prints received Twists as JSON lines;
`plain_cyclone_peer.py write TOPIC COUNT` publishes Twists (linear.x = i, angular.z = -i / 2).
"""

import json
import os
import sys
import time
from dataclasses import dataclass, field

from cyclonedds.core import Policy, Qos
from cyclonedds.domain import DomainParticipant
from cyclonedds.idl import IdlStruct
from cyclonedds.idl import types as t
from cyclonedds.pub import DataWriter
from cyclonedds.sub import DataReader
from cyclonedds.topic import Topic
from cyclonedds.util import duration


@dataclass
class Vector3(IdlStruct, typename="geometry_msgs::msg::dds_::Vector3_"):
    x: t.float64 = 0.0
    y: t.float64 = 0.0
    z: t.float64 = 0.0


@dataclass
class Twist(IdlStruct, typename="geometry_msgs::msg::dds_::Twist_"):
    linear: Vector3 = field(default_factory=Vector3)
    angular: Vector3 = field(default_factory=Vector3)


RELIABLE = Qos(Policy.Reliability.Reliable(duration(milliseconds=100)), Policy.History.KeepLast(100))


def read(topic: str, count: int, timeout: float) -> None:
    participant = DomainParticipant(int(os.environ.get("ROS_DOMAIN_ID", "0")))
    reader = DataReader(participant, Topic(participant, "rt" + topic, Twist), RELIABLE)
    print("ready", flush=True)
    got = 0
    deadline = time.monotonic() + timeout
    while got < count and time.monotonic() < deadline:
        for sample in reader.take(N=100):
            got += 1
            print(
                json.dumps(
                    {
                        "linear": [sample.linear.x, sample.linear.y, sample.linear.z],
                        "angular": [sample.angular.x, sample.angular.y, sample.angular.z],
                    }
                ),
                flush=True,
            )
        time.sleep(0.01)


def write(topic: str, count: int) -> None:
    participant = DomainParticipant(int(os.environ.get("ROS_DOMAIN_ID", "0")))
    writer = DataWriter(participant, Topic(participant, "rt" + topic, Twist), RELIABLE)
    deadline = time.monotonic() + 10.0
    while writer.get_publication_matched_status().current_count == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    for i in range(count):
        writer.write(Twist(Vector3(float(i), 0.25, 0.0), Vector3(0.0, 0.0, -i / 2.0)))
        time.sleep(0.05)
    time.sleep(0.5)


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        write(sys.argv[2], int(sys.argv[3]))
