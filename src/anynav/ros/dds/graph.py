"""Who publishes and subscribes what on the DDS domain, from Cyclone's built-in discovery topics."""

from __future__ import annotations

import time
from dataclasses import dataclass

from cyclonedds.builtin import BuiltinDataReader, BuiltinTopicDcpsPublication, BuiltinTopicDcpsSubscription
from cyclonedds.domain import DomainParticipant

from anynav.ros.dds.qos import profile_from_cyclone
from anynav.ros.naming import ros_topic_name, ros_type_name
from anynav.ros.qos import QoSProfile


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "publisher" or "subscriber"
    topic: str  # ROS name, e.g. /cmd_vel
    msgtype: str | None  # ROS name, e.g. geometry_msgs/msg/Twist; None if not ROS-mangled
    dds_type: str
    qos: QoSProfile
    participant: str
    key: str


class Graph:
    """Keeps built-in discovery readers open so the picture fills in while the caller waits.

    ``include_own`` also lists this process's endpoints (the recorder wants what the same
    process publishes; the topic tools do not want their own endpoints).
    """

    def __init__(self, participant: DomainParticipant, include_own: bool = False) -> None:
        self._participant = participant
        self._readers = {
            "publisher": BuiltinDataReader(participant, BuiltinTopicDcpsPublication),
            "subscriber": BuiltinDataReader(participant, BuiltinTopicDcpsSubscription),
        }
        self._endpoints: dict[str, Endpoint] = {}
        self._own = None if include_own else str(participant.guid)

    def refresh(self) -> list[Endpoint]:
        for kind, reader in self._readers.items():
            for sample in reader.take(N=1000):
                key = str(sample.key)
                if not sample.sample_info.valid_data or sample.sample_info.instance_state != 16:
                    self._endpoints.pop(key, None)
                    continue
                topic = ros_topic_name(sample.topic_name)
                if topic is None or str(sample.participant_key) == self._own:
                    continue
                self._endpoints[key] = Endpoint(
                    kind,
                    topic,
                    ros_type_name(sample.type_name),
                    sample.type_name,
                    profile_from_cyclone(sample.qos),
                    str(sample.participant_key),
                    key,
                )
        return list(self._endpoints.values())

    def wait(self, seconds: float) -> list[Endpoint]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.refresh()
            time.sleep(0.05)
        return self.refresh()

    def wait_for_topic(self, topic: str, seconds: float) -> list[Endpoint]:
        """Endpoints on ``topic``, returning as soon as a publisher shows up (or after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while True:
            found = [e for e in self.refresh() if e.topic == topic]
            if any(e.kind == "publisher" for e in found) or time.monotonic() >= deadline:
                return found
            time.sleep(0.05)
