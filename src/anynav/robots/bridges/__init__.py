"""Robot bridge nodes: each owns one vendor interface and speaks standard ROS messages to the graph.

``core`` and ``lowlevel`` hold the decisions (command limits and time-to-live, robot link
health, joint targets → LowCmd, the motion switcher handshake) without ROS; ``node`` is the
shared shell; ``go2``, ``h1``, ``t1`` and ``go1`` are the registered nodes.
"""
