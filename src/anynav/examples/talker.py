"""Publishes a counting std_msgs/String at a fixed rate."""

from __future__ import annotations

from anynav.ros import FloatingPointRange, Node, ParameterDescriptor, message_class, new_message, run_node


class Talker(Node):
    def __init__(self) -> None:
        super().__init__("talker")
        self.declare_parameter(
            "rate_hz",
            2.0,
            ParameterDescriptor(
                description="messages per second",
                floating_point_range=[FloatingPointRange(from_value=0.1, to_value=1000.0)],
            ),
        )
        self.declare_parameter("text", "hello from anynav", ParameterDescriptor(description="message prefix"))
        self.text = self.get_parameter("text").value
        self.count = 0
        self.pub = self.create_publisher(message_class("std_msgs/msg/String"), "chatter", 10)
        self.create_timer(1.0 / self.get_parameter("rate_hz").value, self.on_timer)

    def on_timer(self) -> None:
        self.count += 1
        self.pub.publish(new_message("std_msgs/msg/String", data=f"{self.text} {self.count}"))
        self.get_logger().info(f"published #{self.count}")


def main(args: list[str] | None = None) -> None:
    run_node(Talker, args)
