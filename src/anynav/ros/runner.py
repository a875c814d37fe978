"""`run_node`: the main() of every anynav node, on either backend, with clean start-up errors."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

from anynav.ros.backend import backend_name


def _is_anynav_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("anynav.")


def _fail(name: str, exc: BaseException) -> None:
    sys.stderr.write(f"[FATAL] [{name}]: {type(exc).__name__}: {exc}\n")
    sys.stderr.flush()
    sys.exit(2)


def run_node(node_factory: Callable[[], Any], args: list[str] | None = None) -> None:
    """Start the runtime, build the node, spin until SIGINT/SIGTERM, then shut down cleanly.

    A configuration error raised by the node (any anynav exception) ends the process with
    exit code 2 and one line naming the node and what is wrong.
    """
    if backend_name() == "rclpy":
        _run_rclpy(node_factory, args)
    else:
        _run_dds(node_factory, args)


def _run_dds(node_factory: Callable[[], Any], args: list[str] | None) -> None:
    from anynav.ros.dds.context import default_context
    from anynav.ros.dds.executor import SingleThreadedExecutor

    default_context.init(args)

    def stop(signum: int, _frame: object) -> None:
        default_context.shutdown()
        signal.signal(signum, signal.SIG_DFL)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    name = getattr(node_factory, "__name__", "node")
    try:
        node = node_factory()
        executor = SingleThreadedExecutor()
        executor.add_node(node)
    except Exception as exc:
        if _is_anynav_error(exc):
            _fail(name, exc)
        raise
    try:
        executor.spin()
    finally:
        node.destroy_node()
        default_context.shutdown()


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _run_rclpy(node_factory: Callable[[], Any], args: list[str] | None) -> None:
    """rclpy's own signal handler would shut the context down before destroy_node() runs, so a
    bridge could no longer send its stop call; we take SIGINT/SIGTERM ourselves instead."""
    import rclpy
    from rclpy.executors import ExternalShutdownException
    from rclpy.signals import SignalHandlerOptions

    from anynav.ros.rclpy_backend import check_parameters

    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    name = getattr(node_factory, "__name__", "node")
    try:
        node = node_factory()
        check_parameters(node)
    except Exception as exc:
        if _is_anynav_error(exc):
            _fail(name, exc)
        raise
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()
