"""Node, Publisher, Subscription and Timer of the dds backend, with rclpy's signatures."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from cyclonedds._clayer import ddspy_take, ddspy_write
from cyclonedds.core import InstanceState, ReadCondition, SampleState, ViewState
from cyclonedds.pub import DataWriter
from cyclonedds.sub import DataReader
from cyclonedds.topic import Topic

from anynav.msgs.errors import MalformedMessageError
from anynav.msgs.typestore import typestore
from anynav.ros.clock import NS_PER_S, Clock
from anynav.ros.dds.context import Context, default_context
from anynav.ros.dds.qos import cyclone_qos
from anynav.ros.dds.types import idl_type
from anynav.ros.errors import ParameterError
from anynav.ros.log import Logger
from anynav.ros.naming import dds_topic_name, node_fqn, normalize_namespace, resolve_topic, validate_node_name
from anynav.ros.params import (
    RUNTIME_PARAMETERS,
    Override,
    Parameter,
    ParameterDescriptor,
    ParameterType,
    check_range,
    coerce,
    describe_range,
    type_of,
)
from anynav.ros.qos import QoSProfile, as_profile, qos_profile_clock

ANY_SAMPLE = SampleState.Any | ViewState.Any | InstanceState.Any
TAKE_BATCH = 256


def msgtype_of(msg_class: Any) -> str:
    msgtype = getattr(msg_class, "__msgtype__", None)
    if not isinstance(msgtype, str):
        raise TypeError(f"{msg_class!r} is not a message class (use anynav.ros.message_class('pkg/msg/Name'))")
    return msgtype


@functools.cache
def _type_hash(msgtype: str) -> str:
    return typestore().hash_rihs01(msgtype)


def serialize(msg: Any, msgtype: str) -> bytes:
    """XCDR1 little-endian bytes of ``msg``, padded to 4 bytes as Cyclone sends them."""
    data = bytes(typestore().serialize_cdr(msg, msgtype))
    return data + b"\0" * (-len(data) % 4)


def deserialize(data: bytes, msgtype: str) -> Any:
    """Decode CDR; any decoding failure becomes one MalformedMessageError naming the type."""
    if len(data) < 4 or data[0] != 0 or data[1] not in (0, 1):
        raise MalformedMessageError(msgtype, "<encapsulation>", f"not a plain CDR payload (header {data[:4].hex()})")
    if data[1] == 0:
        raise MalformedMessageError(msgtype, "<encapsulation>", "big-endian CDR is not supported")
    try:
        return typestore().deserialize_cdr(data, msgtype)
    except Exception as exc:  # rosbags raises struct/index/value/unicode errors on bad bytes
        raise MalformedMessageError(msgtype, "<payload>", f"{type(exc).__name__}: {exc}") from exc


class Publisher:
    def __init__(self, node: Node, msgtype: str, topic: str, qos: QoSProfile) -> None:
        self.msgtype = msgtype
        self.topic_name = topic
        self.qos_profile = qos
        self._writer = DataWriter(
            node.participant, node.dds_topic(topic, msgtype), cyclone_qos(qos, _type_hash(msgtype))
        )

    @property
    def topic(self) -> str:
        return self.topic_name

    def publish(self, msg: Any) -> None:
        if isinstance(msg, (bytes, bytearray, memoryview)):
            data = bytes(msg)
        else:
            if getattr(msg, "__msgtype__", None) != self.msgtype:
                raise TypeError(f"publisher on {self.topic_name} takes {self.msgtype}, got {type(msg).__name__}")
            data = serialize(msg, self.msgtype)
        ret = ddspy_write(self._writer._ref, data)
        if ret < 0:
            raise RuntimeError(f"DDS write on {self.topic_name} failed with code {ret}")

    def get_subscription_count(self) -> int:
        return self._writer.get_publication_matched_status().current_count

    def destroy(self) -> None:
        self._writer = None  # type: ignore[assignment]


class Subscription:
    def __init__(
        self,
        node: Node,
        msgtype: str,
        topic: str,
        callback: Callable[[Any], None],
        qos: QoSProfile,
        raw: bool = False,
    ) -> None:
        self.msgtype = msgtype
        self.topic_name = topic
        self.qos_profile = qos
        self.callback = callback
        self.raw = raw
        self.dropped = 0
        self._node = node
        self._reader = DataReader(
            node.participant, node.dds_topic(topic, msgtype), cyclone_qos(qos, _type_hash(msgtype))
        )
        self.condition = ReadCondition(self._reader, ANY_SAMPLE)

    @property
    def topic(self) -> str:
        return self.topic_name

    def get_publisher_count(self) -> int:
        return self._reader.get_subscription_matched_status().current_count

    def take(self) -> list[tuple[bytes, Any]]:
        samples = ddspy_take(self._reader._ref, ANY_SAMPLE, TAKE_BATCH)
        if isinstance(samples, int):
            raise RuntimeError(f"DDS take on {self.topic_name} failed with code {samples}")
        return [(data, info) for data, info in samples if info.valid_data]

    def dispatch(self) -> int:
        """Run the callback for every waiting sample; malformed ones are counted, logged and dropped."""
        count = 0
        for data, _info in self.take():
            if self.raw:
                self.callback(data)
                count += 1
                continue
            try:
                msg = deserialize(data, self.msgtype)
            except MalformedMessageError as exc:
                self.dropped += 1
                self._node.get_logger().warn(
                    f"dropped malformed message on {self.topic_name} ({self.dropped} so far): {exc}",
                    throttle_duration_sec=1.0,
                )
                continue
            self.callback(msg)
            count += 1
        return count


class Timer:
    def __init__(self, period_sec: float, callback: Callable[[], None], clock: Clock) -> None:
        if not period_sec > 0:
            raise ValueError(f"timer period must be > 0 s, got {period_sec}")
        self.timer_period_ns = int(round(period_sec * NS_PER_S))
        self.callback = callback
        self.clock = clock
        self._canceled = False
        self._next_ns: int | None = None

    def next_due_ns(self) -> int:
        if self._next_ns is None:
            self._next_ns = self.clock.now().nanoseconds + self.timer_period_ns
        return self._next_ns

    def is_ready(self) -> bool:
        if self._canceled or (self.clock.use_sim_time and not self.clock.sim_time_received):
            return False
        return self.clock.now().nanoseconds >= self.next_due_ns()

    def fire(self) -> None:
        """Run the callback and schedule the next period; missed periods are skipped, not bunched."""
        now = self.clock.now().nanoseconds
        due = self.next_due_ns() + self.timer_period_ns
        self._next_ns = due if due > now else now + self.timer_period_ns
        self.callback()

    def cancel(self) -> None:
        self._canceled = True

    def reset(self) -> None:
        self._canceled = False
        self._next_ns = None

    def is_canceled(self) -> bool:
        return self._canceled


class Node:
    """rclpy.node.Node's API subset on Cyclone DDS."""

    def __init__(
        self,
        node_name: str,
        *,
        context: Context | None = None,
        namespace: str | None = None,
        cli_args: list[str] | None = None,
        parameter_overrides: list[Parameter] | None = None,
    ) -> None:
        self.context = context or default_context
        ros_args = self.context.ros_args
        if cli_args is not None:
            from anynav.ros.params import parse_ros_args

            ros_args, _ = parse_ros_args(cli_args)
        self._name = validate_node_name(ros_args.node_name or node_name)
        self._namespace = normalize_namespace(ros_args.namespace or namespace or "")
        self._remaps = ros_args.remaps
        self._overrides: dict[str, Override] = ros_args.overrides_for(self.get_fully_qualified_name())
        for param in parameter_overrides or []:
            self._overrides[param.name] = Override(param.value, "parameter_overrides")
        self._parameters: dict[str, Parameter] = {}
        self._descriptors: dict[str, ParameterDescriptor] = {}
        self._logger = Logger(self.get_fully_qualified_name().lstrip("/").replace("/", "."), ros_args.log_level)
        self._clock = Clock()
        self._topics: dict[tuple[str, str], Topic] = {}
        self.publishers: list[Publisher] = []
        self.subscriptions: list[Subscription] = []
        self.timers: list[Timer] = []
        self.graph_changed = threading.Event()

        self.declare_parameter("use_sim_time", False)
        self.declare_parameter(
            "network_interface",
            "",
            ParameterDescriptor(description="network interface DDS binds to ('' = CYCLONEDDS_URI or automatic)"),
        )
        self.participant = self.context.participant(self.get_parameter("network_interface").value)
        if self.get_parameter("use_sim_time").value:
            self._clock.use_sim_time = True
            self.create_subscription(
                typestore().types["rosgraph_msgs/msg/Clock"], "/clock", self._on_clock, qos_profile_clock
            )

    def _on_clock(self, msg: Any) -> None:
        self._clock.set_sim_time(int(msg.clock.sec) * NS_PER_S + int(msg.clock.nanosec))

    # Names
    def get_name(self) -> str:
        return self._name

    def get_namespace(self) -> str:
        return self._namespace

    def get_fully_qualified_name(self) -> str:
        return node_fqn(self._name, self._namespace)

    def resolve_topic_name(self, topic: str) -> str:
        resolved = resolve_topic(topic, self._name, self._namespace)
        for source, target in self._remaps.items():
            if resolve_topic(source, self._name, self._namespace) == resolved:
                return resolve_topic(target, self._name, self._namespace)
        return resolved

    def dds_topic(self, ros_topic: str, msgtype: str) -> Topic:
        key = (ros_topic, msgtype)
        if key not in self._topics:
            self._topics[key] = Topic(self.participant, dds_topic_name(ros_topic), idl_type(msgtype))
        return self._topics[key]

    # Endpoints
    def create_publisher(self, msg_type: Any, topic: str, qos_profile: QoSProfile | int, **_: Any) -> Publisher:
        pub = Publisher(self, msgtype_of(msg_type), self.resolve_topic_name(topic), as_profile(qos_profile))
        self.publishers.append(pub)
        return pub

    def create_subscription(
        self,
        msg_type: Any,
        topic: str,
        callback: Callable[[Any], None],
        qos_profile: QoSProfile | int,
        *,
        raw: bool = False,
        **_: Any,
    ) -> Subscription:
        sub = Subscription(
            self, msgtype_of(msg_type), self.resolve_topic_name(topic), callback, as_profile(qos_profile), raw=raw
        )
        self.subscriptions.append(sub)
        self.graph_changed.set()
        return sub

    def create_timer(self, timer_period_sec: float, callback: Callable[[], None], **_: Any) -> Timer:
        timer = Timer(timer_period_sec, callback, self._clock)
        self.timers.append(timer)
        self.graph_changed.set()
        return timer

    def destroy_publisher(self, publisher: Publisher) -> None:
        self.publishers.remove(publisher)
        publisher.destroy()

    def destroy_node(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        self.subscriptions.clear()
        self.publishers.clear()
        self.graph_changed.set()

    # Clock and logging
    def get_clock(self) -> Clock:
        return self._clock

    def get_logger(self) -> Logger:
        return self._logger

    # Parameters
    def declare_parameter(
        self,
        name: str,
        value: Any = None,
        descriptor: ParameterDescriptor | None = None,
        ignore_override: bool = False,
    ) -> Parameter:
        if name in self._parameters:
            raise ParameterError(f"node {self.get_fully_qualified_name()!r}: parameter {name!r} declared twice")
        descriptor = descriptor or ParameterDescriptor()
        try:
            expected = type_of(value)
        except ValueError as exc:
            raise ParameterError(
                f"node {self.get_fully_qualified_name()!r}: parameter {name!r} default: {exc}"
            ) from None
        source = "default"
        override = None if ignore_override else self._overrides.get(name)
        if override is not None:
            source = override.source
            try:
                value = coerce(override.value, expected)
            except ValueError as exc:
                raise ParameterError(
                    f"node {self.get_fully_qualified_name()!r}: parameter {name!r} (from {source}): {exc}"
                ) from None
        problem = check_range(value, descriptor)
        if problem:
            raise ParameterError(
                f"node {self.get_fully_qualified_name()!r}: parameter {name!r} (from {source}): {problem}"
            )
        param = Parameter(name, value, type_of(value) if value is not None else ParameterType.NOT_SET)
        self._parameters[name] = param
        self._descriptors[name] = descriptor
        return param

    def get_parameter(self, name: str) -> Parameter:
        if name not in self._parameters:
            raise ParameterError(f"node {self.get_fully_qualified_name()!r}: parameter {name!r} was not declared")
        return self._parameters[name]

    def undeclared_overrides(self) -> dict[str, Override]:
        """Node-specific overrides naming parameters the node never declared (typos, stale keys)."""
        return {
            k: v
            for k, v in self._overrides.items()
            if k not in self._parameters and k not in RUNTIME_PARAMETERS and not v.wildcard
        }

    def check_parameters(self) -> None:
        """Fail with every unknown key, its source and what the node accepts (run at start-up)."""
        unknown = self.undeclared_overrides()
        if unknown:
            listed = ", ".join(f"{k!r} (from {v.source})" for k, v in sorted(unknown.items()))
            accepted = ", ".join(
                f"{n}{' ' + describe_range(self._descriptors[n]) if describe_range(self._descriptors[n]) else ''}"
                for n in sorted(self._parameters)
            )
            raise ParameterError(
                f"node {self.get_fully_qualified_name()!r}: unknown parameter(s) {listed}; it accepts: {accepted}"
            )
