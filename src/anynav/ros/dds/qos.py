"""ROS 2 QoS profiles as Cyclone DDS QoS, with the type hash ROS 2 Iron+ expects in USER_DATA."""

from __future__ import annotations

from cyclonedds.core import Policy, Qos
from cyclonedds.util import duration

from anynav.ros.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

RELIABLE_MAX_BLOCKING = duration(milliseconds=100)


def cyclone_qos(profile: QoSProfile, type_hash: str | None = None) -> Qos:
    policies = [
        Policy.Reliability.Reliable(RELIABLE_MAX_BLOCKING)
        if profile.reliability is ReliabilityPolicy.RELIABLE
        else Policy.Reliability.BestEffort,
        Policy.History.KeepLast(profile.depth)
        if profile.history is HistoryPolicy.KEEP_LAST
        else Policy.History.KeepAll,
        Policy.Durability.TransientLocal
        if profile.durability is DurabilityPolicy.TRANSIENT_LOCAL
        else Policy.Durability.Volatile,
        Policy.DataRepresentation(use_cdrv0_representation=True),
    ]
    if type_hash:
        policies.append(Policy.Userdata(f"typehash={type_hash};".encode()))
    return Qos(*policies)


def profile_from_cyclone(qos: Qos) -> QoSProfile:
    """The ROS 2 profile a discovered endpoint offers (for `topic info` and the recorder)."""
    reliability = ReliabilityPolicy.RELIABLE
    durability = DurabilityPolicy.VOLATILE
    depth, history = 1, HistoryPolicy.KEEP_LAST
    for policy in qos:
        kind = type(policy).__name__
        if kind == "Reliability.BestEffort":
            reliability = ReliabilityPolicy.BEST_EFFORT
        elif kind == "Durability.TransientLocal":
            durability = DurabilityPolicy.TRANSIENT_LOCAL
        elif kind == "History.KeepLast":
            depth = policy.depth
        elif kind == "History.KeepAll":
            history = HistoryPolicy.KEEP_ALL
    return QoSProfile(depth=max(depth, 1), history=history, reliability=reliability, durability=durability)
