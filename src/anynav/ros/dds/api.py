"""rclpy's module-level functions (init, spin, shutdown ...) for the dds backend."""

from __future__ import annotations

from anynav.ros.dds.context import Context, default_context
from anynav.ros.dds.executor import SingleThreadedExecutor
from anynav.ros.dds.node import Node

__all__ = ["Node", "SingleThreadedExecutor", "init", "ok", "shutdown", "spin", "spin_once"]


def init(*, args: list[str] | None = None, context: Context | None = None) -> None:
    (context or default_context).init(args)


def ok(*, context: Context | None = None) -> bool:
    return (context or default_context).ok()


def shutdown(*, context: Context | None = None) -> None:
    (context or default_context).shutdown()


def spin(node: Node) -> None:
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    executor.spin()


def spin_once(node: Node, *, timeout_sec: float | None = None) -> None:
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    executor.spin_once(timeout_sec)
