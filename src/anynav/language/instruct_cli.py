"""`anynav instruct "walk past the bench and stop at the door"`: hand an instruction to the running language nodes.

The instruction goes out latched on /instruction once a subscriber is there, so it is delivered;
`--cancel` sends the empty instruction, which stops the running one. `--wait-done` then follows
/vla/action (each answer, printed) and the executor's /diagnostics until the instruction ends.
Exit codes: 0 delivered (or, with --wait-done, the VLA said stop), 1 it failed, was e-stopped,
cancelled, pre-empted or timed out, 2 no subscriber or bad arguments.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from typing import Any

from anynav.language.errors import ProtocolError
from anynav.language.vla_messages import ActionMessage
from anynav.msgs.diagnostics import status_values
from anynav.ros import QOS_LATCHED, Node, SingleThreadedExecutor, init, message_class, new_message, ok, shutdown

DELIVERY_S = 0.5
"""How long the latched writer stays after publishing when not waiting for the end (reliable delivery)."""
RUNNING = "running"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instruction", nargs="?", default="", help="what the robot should do, in plain words")
    parser.add_argument("--topic", default="/instruction", help="instruction topic (default: /instruction)")
    parser.add_argument("--cancel", action="store_true", help="stop the running instruction (sends an empty one)")
    parser.add_argument("--wait-done", action="store_true", help="follow the answers until the instruction ends")
    parser.add_argument(
        "--wait-subscriber", type=float, default=5.0, metavar="S", help="give up when no node listens within S s"
    )
    parser.add_argument("--timeout", type=float, default=600.0, metavar="S", help="--wait-done: give up after S s")


@dataclass
class Progress:
    """What --wait-done has seen of our instruction in the executor's diagnostics."""

    instruction: str
    heard_executor: bool = False
    seen_running: bool = False
    outcome: str = ""
    reason: str = ""

    def on_diagnostics(self, msg: Any) -> None:
        for status in msg.status:
            self.on_status(status_values(status), status.message)

    def on_status(self, values: dict[str, str], message: str) -> None:
        if "outcome" not in values or self.outcome:
            return
        self.heard_executor = True
        ours = values.get("instruction", "").strip() == self.instruction
        running = values["outcome"] == RUNNING
        if ours and running:
            self.seen_running = True
        elif self.seen_running and running:
            self.outcome, self.reason = "pre-empted", f"by {values.get('instruction', '')!r}"
        elif self.seen_running and ours:
            self.outcome, self.reason = values["outcome"], message


def run(args: argparse.Namespace) -> int:
    text = "" if args.cancel else args.instruction.strip()
    if not args.cancel and not text:
        print("anynav instruct: give an instruction, or --cancel", file=sys.stderr)
        return 2
    if args.cancel and args.instruction.strip():
        print("anynav instruct: --cancel takes no instruction", file=sys.stderr)
        return 2
    if not (args.wait_subscriber > 0.0 and args.timeout > 0.0):
        print("anynav instruct: --wait-subscriber and --timeout must be > 0", file=sys.stderr)
        return 2
    init(args=[])
    node = Node("anynav_instruct")
    try:
        return _instruct(node, args, text)
    except KeyboardInterrupt:
        return 1
    finally:
        node.destroy_node()
        shutdown()


def _instruct(node: Any, args: argparse.Namespace, text: str) -> int:
    progress = Progress(text)
    executor = SingleThreadedExecutor()
    # --wait-done also waits for the executor's periodic status, so its state changes reach us.
    following = args.wait_done and text
    if following:
        node.create_subscription(message_class("std_msgs/msg/String"), "/vla/action", _print_answer(text), 10)
        node.create_subscription(
            message_class("diagnostic_msgs/msg/DiagnosticArray"), "/diagnostics", progress.on_diagnostics, 10
        )
    executor.add_node(node)
    pub = node.create_publisher(message_class("std_msgs/msg/String"), args.topic, QOS_LATCHED)
    deadline = time.monotonic() + args.wait_subscriber
    while pub.get_subscription_count() == 0 or (following and not progress.heard_executor):
        if time.monotonic() >= deadline or not ok():
            missing = (
                f"nothing subscribes to {args.topic}" if pub.get_subscription_count() == 0 else "no executor status"
            )
            print(
                f"anynav instruct: {missing} after {args.wait_subscriber:g} s; "
                "is the executor node running (anynav launch ...)?",
                file=sys.stderr,
            )
            return 2
        executor.spin_once(timeout_sec=0.05)
    pub.publish(new_message("std_msgs/msg/String", data=text))
    print(f"cancel sent on {args.topic}" if not text else f"instruction sent on {args.topic}: {text!r}", flush=True)
    if not following:
        end = time.monotonic() + DELIVERY_S
        while time.monotonic() < end and ok():
            executor.spin_once(timeout_sec=0.05)
        return 0
    end = time.monotonic() + args.timeout
    while not progress.outcome and time.monotonic() < end and ok():
        executor.spin_once(timeout_sec=0.1)
    if not progress.outcome:
        print(f"anynav instruct: no end after {args.timeout:g} s", file=sys.stderr)
        return 1
    print(f"{progress.outcome}: {progress.reason}", flush=True)
    return 0 if progress.outcome == "done" else 1


def _print_answer(instruction: str) -> Any:
    def on_answer(msg: Any) -> None:
        try:
            answer = ActionMessage.from_json(str(msg.data))
        except ProtocolError:
            return
        if answer.instruction.strip() != instruction:
            return
        if answer.error is not None:
            result = f"failed: {answer.error}"
        elif answer.action is None:
            result = f"{answer.text!r}: no action ({answer.parse_error})"
        else:
            result = f"{answer.text!r} -> {answer.action.describe()}"
        print(f"request {answer.request_id} ({answer.latency_s:.2f} s): {result}", flush=True)

    return on_answer
