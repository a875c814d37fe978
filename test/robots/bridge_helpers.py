"""A bridge test bench: one DDS context, an executor, and a probe node that plays the rest of the graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anynav.msgs.diagnostics import Level, level_of
from anynav.msgs.navigation import twist_message
from anynav.ros import (
    Node,
    QoSProfile,
    ReliabilityPolicy,
    SingleThreadedExecutor,
    message_class,
)
from anynav.ros.dds.context import Context

SENSOR = QoSProfile(depth=5, reliability=ReliabilityPolicy.BEST_EFFORT)
#: parameters that keep the bench fast: short TTLs and a quick diagnostics period
FAST = {"cmd_ttl_s": 0.3, "state_ttl_s": 0.3, "diagnostics_period_s": 0.1}


def ros_args(**params: object) -> list[str]:
    """``--ros-args -p name:=value ...`` for a node under test."""
    args = ["--ros-args"]
    for name, value in params.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        args += ["-p", f"{name}:={text}"]
    return args


class Bench:
    """Nodes under test plus a probe; ``listen`` keeps every message of a topic, ``spin`` runs them all."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.executor = SingleThreadedExecutor(context=context)
        self.probe = Node("probe", context=context)
        self.received: dict[str, list[Any]] = {}
        self.nodes: list[Any] = []
        self.add(self.probe)

    def add(self, node: Any) -> Any:
        self.executor.add_node(node)
        self.nodes.append(node)
        return node

    def remove(self, node: Any) -> None:
        """Take a node out and destroy it (a bridge sends its shutdown call here)."""
        self.executor.remove_node(node)
        self.nodes.remove(node)
        node.destroy_node()

    def listen(self, msgtype: str, topic: str, qos: QoSProfile | int = 10) -> list[Any]:
        self.received[topic] = []
        self.probe.create_subscription(message_class(msgtype), topic, self.received[topic].append, qos)
        return self.received[topic]

    def publisher(self, msgtype: str, topic: str, qos: QoSProfile | int = 10) -> Any:
        return self.probe.create_publisher(message_class(msgtype), topic, qos)

    def spin(self, seconds: float) -> None:
        self.executor.spin_until(lambda: False, seconds)

    def wait(self, predicate: Callable[[], Any], timeout: float = 5.0) -> None:
        assert self.executor.spin_until(lambda: bool(predicate()), timeout), "timed out"

    def drive(self, publisher: Any, vx: float, vy: float, wz: float, seconds: float, *, stamped: bool = False) -> None:
        """Publish the same Twist every 50 ms for ``seconds``, as a mux would."""
        for _ in range(max(1, round(seconds / 0.05))):
            publisher.publish(twist_message(vx, vy, wz, stamped=stamped))
            self.spin(0.05)

    def close(self) -> None:
        for node in list(self.nodes):
            self.remove(node)


def link_status(diagnostics: list[Any], node_name: str) -> tuple[Level, str, dict[str, str]]:
    """Level, message and key values of the newest '<node>: robot link' status."""
    for array in reversed(diagnostics):
        for status in array.status:
            if status.name == f"{node_name}: robot link":
                return level_of(status), status.message, {kv.key: kv.value for kv in status.values}
    raise AssertionError(f"no diagnostics from {node_name}")
