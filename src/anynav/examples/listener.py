"""Logs every std_msgs/String it hears on `chatter`."""

from __future__ import annotations

from anynav.ros import Node, message_class, run_node


class Listener(Node):
    def __init__(self) -> None:
        super().__init__("listener")
        self.create_subscription(message_class("std_msgs/msg/String"), "chatter", self.on_message, 10)

    def on_message(self, msg) -> None:
        self.get_logger().info(f"heard: {msg.data}")


def main(args: list[str] | None = None) -> None:
    run_node(Listener, args)
